using System.Collections.Immutable;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Segments;

/// <summary>What a put did to the catalogue.</summary>
public enum PutOutcome
{
    /// <summary>The segment had no live definition (never defined, or deleted): version 1, or the version after the tombstone.</summary>
    Created,

    /// <summary>The rule or the shadow flag changed: a new version.</summary>
    Updated,

    /// <summary>The current version already has this rule and shadow flag: nothing recorded.</summary>
    Unchanged,
}

/// <summary>The answer to a put: what it did, and the version that is current afterwards.</summary>
/// <param name="Recorded">The version to record (persist, then <see cref="SegmentCatalogueState.Apply"/>); null when unchanged.</param>
public sealed record PutDecision(PutOutcome Outcome, SegmentVersion Current, SegmentVersion? Recorded);

/// <summary>
/// The segment catalogue's state: every version of every segment ever defined, tombstones included, and a revision
/// that grows by one with each version recorded. Pure and immutable: <see cref="Put"/> and <see cref="Delete"/>
/// decide which version (if any) a command records, <see cref="Apply"/> folds a recorded version in (also on
/// recovery), so the state after replaying the recorded versions is the state that recorded them.
/// </summary>
public sealed class SegmentCatalogueState
{
    private readonly ImmutableSortedDictionary<string, ImmutableList<SegmentVersion>> _histories;

    private SegmentCatalogueState(long revision, ImmutableSortedDictionary<string, ImmutableList<SegmentVersion>> histories)
    {
        Revision = revision;
        _histories = histories;
    }

    public static SegmentCatalogueState Empty { get; } =
        new(0, ImmutableSortedDictionary.Create<string, ImmutableList<SegmentVersion>>(StringComparer.Ordinal));

    /// <summary>How many versions were recorded (definitions and tombstones); 0 for an empty catalogue.</summary>
    public long Revision { get; }

    /// <summary>The latest version of every segment that is not deleted, in segment id order.</summary>
    public IReadOnlyList<SegmentVersion> Current =>
        _histories.Values.Select(h => h[^1]).Where(v => !v.Deleted).ToArray();

    /// <summary>Every segment's history, in segment id order, deleted ones included.</summary>
    public IEnumerable<IReadOnlyList<SegmentVersion>> Histories => _histories.Values;

    /// <summary>The latest version of a segment (a tombstone when it was deleted), or null when it was never defined.</summary>
    public SegmentVersion? Latest(string segmentId) => _histories.TryGetValue(segmentId, out var h) ? h[^1] : null;

    /// <summary>The live definition of a segment, or null when it was never defined or is deleted.</summary>
    public SegmentVersion? Find(string segmentId) => Latest(segmentId) is { Deleted: false } v ? v : null;

    /// <summary>Every version of a segment, oldest first (empty when never defined).</summary>
    public IReadOnlyList<SegmentVersion> History(string segmentId) =>
        _histories.TryGetValue(segmentId, out var h) ? h : [];

    /// <summary>Decides what defining <paramref name="segmentId"/> as <paramref name="rule"/> records: a new version
    /// when there is no live one or when the canonical rule text or the shadow flag differs, nothing when both are
    /// the same (a repeated put is harmless).</summary>
    public PutDecision Put(string segmentId, RuleDefinition rule, bool shadow, DateTimeOffset at)
    {
        SegmentIds.Validate(segmentId);
        ArgumentNullException.ThrowIfNull(rule);
        var latest = Latest(segmentId);
        if (latest is { Deleted: false } && latest.Rule == rule.Text && latest.Shadow == shadow)
            return new PutDecision(PutOutcome.Unchanged, latest, null);

        var next = new SegmentVersion(segmentId, (latest?.Version ?? 0) + 1, rule.Text, shadow, at);
        return new PutDecision(latest is { Deleted: false } ? PutOutcome.Updated : PutOutcome.Created, next, next);
    }

    /// <summary>The tombstone that deleting <paramref name="segmentId"/> records, or null when it has no live
    /// definition (never defined or already deleted).</summary>
    public SegmentVersion? Delete(string segmentId, DateTimeOffset at) =>
        Find(segmentId) is { } live ? live with { Version = live.Version + 1, DefinedAt = at, Deleted = true } : null;

    /// <summary>Folds a recorded version in. It must follow the segment's latest version by exactly one.</summary>
    /// <exception cref="InvalidOperationException">The version does not follow on (a gap, a repeat, or a tombstone
    /// of nothing).</exception>
    public SegmentCatalogueState Apply(SegmentVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var history = _histories.GetValueOrDefault(version.SegmentId) ?? [];
        var expected = history.Count == 0 ? 1 : history[^1].Version + 1;
        if (version.Version != expected)
            throw new InvalidOperationException(
                $"segment {version.SegmentId}: version {version.Version} does not follow version {expected - 1}");
        if (version.Deleted && (history.Count == 0 || history[^1].Deleted))
            throw new InvalidOperationException($"segment {version.SegmentId}: a tombstone needs a live definition");
        return new SegmentCatalogueState(Revision + 1, _histories.SetItem(version.SegmentId, history.Add(version)));
    }

    /// <summary>Folds recorded versions in, in order.</summary>
    public static SegmentCatalogueState From(IEnumerable<SegmentVersion> versions) =>
        versions.Aggregate(Empty, (state, v) => state.Apply(v));

    /// <summary>Every version recorded, by segment id, then version: folding them with <see cref="From"/> gives this
    /// state again (each segment's versions in order is all a replay needs).</summary>
    public IReadOnlyList<SegmentVersion> AllVersions() => _histories.Values.SelectMany(h => h).ToArray();

    /// <summary>The set the user entities evaluate: the live definitions compiled, at this revision.</summary>
    public SegmentSet ToSegmentSet(ProfileRules? rules = null) => SegmentSet.Build(Revision, Current, rules);
}

/// <summary>What a segment id may be: 1–64 characters of lower-case ASCII letters, digits, '_' and '-', starting with a
/// letter or a digit (it appears in URLs, Kafka records and file names unescaped).</summary>
public static class SegmentIds
{
    public const int MaxLength = 64;

    public static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "a segment id cannot be empty";
        if (id.Length > MaxLength) return $"a segment id is at most {MaxLength} characters";
        if (!IsLowerAlnum(id[0])) return "a segment id starts with a lower-case letter or a digit";
        foreach (var c in id)
        {
            if (!IsLowerAlnum(c) && c is not ('_' or '-'))
                return $"'{c}' is not allowed in a segment id (lower-case letters, digits, '_' and '-')";
        }

        return null;
    }

    /// <exception cref="ArgumentException">The id is not a valid segment id.</exception>
    public static void Validate(string? id)
    {
        if (Problem(id) is { } problem) throw new ArgumentException(problem, nameof(id));
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
