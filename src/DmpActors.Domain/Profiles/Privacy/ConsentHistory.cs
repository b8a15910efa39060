namespace DmpActors.Domain.Profiles.Privacy;

/// <summary>One consent decision: a purpose granted or denied at an event time.</summary>
public readonly record struct ConsentDecision(string Purpose, bool Granted, DateTimeOffset At);

/// <summary>
/// Every consent decision a user made, ordered by event time (then purpose, denials first), keeping the latest
/// <see cref="Capacity"/>; the same decision seen twice is kept once. Immutable.
/// </summary>
/// <remarks>
/// Because the order is by event time and repeats collapse, the history does not depend on arrival order, and
/// <see cref="Merge"/> (the union, trimmed to capacity) is commutative and idempotent.
/// </remarks>
public sealed class ConsentHistory : IEquatable<ConsentHistory>
{
    /// <summary>Decisions kept per user (about 64 bytes each plus the shared purpose strings).</summary>
    public const int Capacity = 32;

    public static ConsentHistory Empty { get; } = new([]);

    private readonly ConsentDecision[] _decisions;

    private ConsentHistory(ConsentDecision[] decisions) => _decisions = decisions;

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<ConsentDecision> Decisions => _decisions;

    public ConsentHistory Add(IReadOnlyDictionary<string, bool> purposes, DateTimeOffset at) =>
        With(purposes.Select(p => new ConsentDecision(p.Key, p.Value, at)));

    public ConsentHistory Merge(ConsentHistory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return With(other._decisions);
    }

    public static ConsentHistory Restore(IEnumerable<ConsentDecision> decisions) => Empty.With(decisions);

    public bool Equals(ConsentHistory? other) => other is not null && _decisions.AsSpan().SequenceEqual(other._decisions);

    public override bool Equals(object? obj) => Equals(obj as ConsentHistory);

    public override int GetHashCode() => _decisions.Length;

    private ConsentHistory With(IEnumerable<ConsentDecision> added)
    {
        var all = _decisions.Concat(added)
            .Distinct()
            .OrderBy(d => d.At.UtcTicks).ThenBy(d => d.Purpose, StringComparer.Ordinal).ThenBy(d => d.Granted)
            .ToArray();
        return new ConsentHistory(all.Length > Capacity ? all[^Capacity..] : all);
    }
}
