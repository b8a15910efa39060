using System.Collections.Concurrent;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Segments;

namespace DmpActors.Host.Dashboard;

/// <summary>
/// Counts the segment changes this node publishes (entered and exited, per segment) as the engine's
/// <see cref="SegmentChangeHub"/> delivers them once Kafka acknowledged them: what consumers of dmp.segment-changes see.
/// </summary>
public sealed class SegmentChangeCounter : IDisposable
{
    private readonly ConcurrentDictionary<string, Counts> _bySegment = new();
    private readonly Lock _gate = new();
    private SegmentChangeHub? _watched;
    private IDisposable? _subscription;

    /// <summary>Subscribes to <paramref name="hub"/> unless it is the one already watched (a restarted engine has a new one).</summary>
    public void Watch(SegmentChangeHub hub)
    {
        lock (_gate)
        {
            if (ReferenceEquals(hub, _watched)) return;
            _subscription?.Dispose();
            _watched = hub;
            _subscription = hub.Subscribe(Count);
        }
    }

    public IReadOnlyDictionary<string, SegmentChangeTotals> Read() =>
        _bySegment.ToDictionary(kv => kv.Key, kv => new SegmentChangeTotals(Interlocked.Read(ref kv.Value.Entered), Interlocked.Read(ref kv.Value.Exited)));

    // Called on the publishing entity's thread: a dictionary lookup and an increment.
    private void Count(SegmentChange change)
    {
        var counts = _bySegment.GetOrAdd(change.SegmentId, _ => new Counts());
        if (change.Kind == SegmentChangeKind.Entered) Interlocked.Increment(ref counts.Entered);
        else Interlocked.Increment(ref counts.Exited);
    }

    public void Dispose()
    {
        lock (_gate) _subscription?.Dispose();
    }

    private sealed class Counts
    {
        public long Entered;
        public long Exited;
    }
}

/// <summary>Changes a segment published on this node since it started.</summary>
public sealed record SegmentChangeTotals(long Entered, long Exited);

/// <summary>One segment's changes in a sample: totals and per-second rates since the previous sample.</summary>
public sealed record SegmentChangeSample(string Segment, double EnteredPerSecond, double ExitedPerSecond, long EnteredTotal, long ExitedTotal)
{
    /// <summary>Every segment in <paramref name="after"/>, in id order; a total that went down counts from zero.</summary>
    public static IReadOnlyList<SegmentChangeSample> Between(IReadOnlyDictionary<string, SegmentChangeTotals> before,
        IReadOnlyDictionary<string, SegmentChangeTotals> after, TimeSpan elapsed)
    {
        double Rate(long from, long to) => PerSecond.Between(from, to, elapsed);
        return after.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var was = before.GetValueOrDefault(kv.Key) ?? new SegmentChangeTotals(0, 0);
            return new SegmentChangeSample(kv.Key, Rate(was.Entered, kv.Value.Entered), Rate(was.Exited, kv.Value.Exited), kv.Value.Entered, kv.Value.Exited);
        }).ToList();
    }
}
