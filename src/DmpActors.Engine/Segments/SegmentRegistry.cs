using DmpActors.Domain.Segments;

namespace DmpActors.Engine.Segments;

/// <summary>
/// The segment set this node evaluates. The catalogue's replica on this node publishes each new set; user entities
/// read <see cref="Current"/> at every event without a message or a lock.
/// </summary>
public sealed class SegmentRegistry
{
    private SegmentSet _current = SegmentSet.Empty;

    public SegmentSet Current => Volatile.Read(ref _current);

    /// <summary>Raised after a newer set is published, with that set.</summary>
    public event Action<SegmentSet>? Changed;

    /// <summary>Makes <paramref name="set"/> current unless a set of the same or a later revision already is
    /// (replicas may deliver out of order).</summary>
    public bool Publish(SegmentSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        while (true)
        {
            var seen = Current;
            if (set.Revision <= seen.Revision) return false;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, set, seen), seen)) break;
        }

        Changed?.Invoke(set);
        return true;
    }
}
