namespace DmpActors.Domain.Segments.Evaluation;

public enum SegmentChangeKind
{
    Entered,
    Exited,
}

/// <summary>What made a membership change: an applied event (its id), a re-evaluation without an event (the
/// segment set's revision it ran against), or a timer (the instant it was due: time alone changed the outcome).</summary>
public readonly record struct SegmentCause(SegmentCauseKind Kind, string Id)
{
    public static SegmentCause Event(string eventId) => new(SegmentCauseKind.Event, eventId);

    public static SegmentCause Evaluation(long revision) => new(SegmentCauseKind.Evaluation, revision.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The id is the due time (UTC, round-trip format), not the time the timer ran: a timer run again after a
    /// crash decides the same change with the same id.</summary>
    public static SegmentCause Timer(DateTimeOffset dueAt) =>
        new(SegmentCauseKind.Timer, dueAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>As the change events and the explain output write it: <c>event:e-17</c>, <c>evaluation:4</c>,
    /// <c>timer:2026-11-15T10:00:00.0000000Z</c>.</summary>
    public override string ToString() => $"{KindName(Kind)}:{Id}";

    public static string KindName(SegmentCauseKind kind) => kind switch
    {
        SegmentCauseKind.Event => "event",
        SegmentCauseKind.Timer => "timer",
        _ => "evaluation",
    };
}

public enum SegmentCauseKind
{
    Event,
    Evaluation,
    Timer,
}

/// <summary>One user entering or leaving one segment, as it is published (docs/segments.md, change events).</summary>
/// <param name="ChangeId">Deterministic (<see cref="ChangeIds"/>): the same change decided again, by a replay or after a
/// crash, has the same id.</param>
/// <param name="At">The time the rule was evaluated at: the event's time for an event, the clock's for a re-evaluation.</param>
public sealed record SegmentChange(string ChangeId, string UserId, string SegmentId, int Version, SegmentChangeKind Kind, SegmentCause Cause, DateTimeOffset At);

/// <summary>Where one user stands with one segment: a member since <see cref="Since"/>, or (not a member) left it then.</summary>
/// <param name="Version">The segment version that decided the latest change, or the latest version evaluated since.</param>
/// <param name="Shadow">The segment was in shadow at the latest change: it was counted, not published.</param>
/// <param name="ChangeId">The latest change's id.</param>
public sealed record SegmentMembership(string SegmentId, int Version, bool Member, bool Shadow, DateTimeOffset Since, string ChangeId, SegmentCause Cause);

/// <summary>
/// The segments slice of a profile: the segments the user is in, the ones they left lately (at most
/// <see cref="MaxExits"/>, for explain), and the outbox of changes decided but not yet acknowledged by Kafka. The outbox
/// is saved with the profile, so a change decided before a checkpoint is published after it, even after a crash.
/// </summary>
public sealed class SegmentMemberships : IEquatable<SegmentMemberships>
{
    public const int MaxExits = 16;

    public static SegmentMemberships Empty { get; } = new([], [], 0);

    public SegmentMemberships(IReadOnlyList<SegmentMembership> entries, IReadOnlyList<SegmentChange> outbox, long revision)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(outbox);
        Entries = entries.OrderBy(e => e.SegmentId, StringComparer.Ordinal).ToArray();
        Outbox = outbox;
        Revision = revision;
    }

    /// <summary>The revision of the segment set every rule was last evaluated against; an event under another revision
    /// (a new or changed definition, or a user never evaluated) evaluates every rule once, later events only the rules
    /// they can change.</summary>
    public long Revision { get; }

    /// <summary>In segment id order.</summary>
    public IReadOnlyList<SegmentMembership> Entries { get; }

    /// <summary>Changes to publish, oldest first.</summary>
    public IReadOnlyList<SegmentChange> Outbox { get; }

    public bool IsEmpty => Entries.Count == 0 && Outbox.Count == 0;

    public SegmentMembership? Find(string segmentId)
    {
        int lo = 0, hi = Entries.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(Entries[mid].SegmentId, segmentId);
            if (c == 0) return Entries[mid];
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        return null;
    }

    /// <summary>The segments the user is a member of (shadow ones included), in id order.</summary>
    public IReadOnlyList<string> MemberIds() => Entries.Where(e => e.Member).Select(e => e.SegmentId).ToArray();

    /// <summary>Without the outbox entries Kafka acknowledged; the same instance when none of them is here.</summary>
    public SegmentMemberships WithoutPublished(IReadOnlyCollection<string> changeIds)
    {
        if (changeIds.Count == 0 || Outbox.Count == 0) return this;
        var published = changeIds as ISet<string> ?? changeIds.ToHashSet(StringComparer.Ordinal);
        var left = Outbox.Where(c => !published.Contains(c.ChangeId)).ToArray();
        return left.Length == Outbox.Count ? this : new SegmentMemberships(Entries, left, Revision);
    }

    public bool Equals(SegmentMemberships? other) =>
        other is not null && Revision == other.Revision && Entries.SequenceEqual(other.Entries) && Outbox.SequenceEqual(other.Outbox);

    public override bool Equals(object? obj) => Equals(obj as SegmentMemberships);

    public override int GetHashCode() => HashCode.Combine(Entries.Count, Outbox.Count);
}
