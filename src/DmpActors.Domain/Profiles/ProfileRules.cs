namespace DmpActors.Domain.Profiles;

/// <summary>
/// The configurable rules the reducer and the profile views follow. Pure data; the engine binds it from
/// configuration (Dmp:Profiles) and hands the same instance to every user actor.
/// </summary>
public sealed record ProfileRules
{
    public static ProfileRules Default { get; } = new();

    /// <summary>Events older than the user's watermark (latest event time seen) by more than this are too late for
    /// the behaviour windows; they still count in lifetime counters. At most <see cref="MaxAllowedLateness"/>.</summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromHours(1);

    /// <summary>An event starts a new session when the user's previous event is more than this much earlier.</summary>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>An affinity score halves over this much event time without new interest.</summary>
    public TimeSpan AffinityHalfLife { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How many categories and how many items each keep an affinity score (the strongest win).</summary>
    public int MaxAffinities { get; init; } = 16;

    /// <summary>Distinct items viewed are counted exactly up to this many items per user, approximately beyond.</summary>
    public int DistinctItemsExactBound { get; init; } = 64;

    /// <summary>Lifecycle: a user first seen less than this long ago is new.</summary>
    public TimeSpan NewFor { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Lifecycle: a user not seen for this long is at risk.</summary>
    public TimeSpan AtRiskAfter { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Lifecycle: a user not seen for this long is churned.</summary>
    public TimeSpan ChurnedAfter { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Identify traits (case-insensitive names) that hold personal data.</summary>
    public IReadOnlyList<string> PiiTraits { get; init; } = ["email", "phone"];

    /// <summary>When true (the default), <see cref="PiiTraits"/> are stored only as salted SHA-256 hashes.</summary>
    public bool HashPii { get; init; } = true;

    /// <summary>Prepended to PII values before hashing. Set a secret per deployment: without one, short values such as
    /// phone numbers can be recovered from their hashes by enumeration.</summary>
    public string PiiSalt { get; init; } = "";

    /// <summary>The windows keep day buckets for 30 days; lateness beyond a day would reach into rolled-up buckets
    /// whose sessions are no longer tracked.</summary>
    public static readonly TimeSpan MaxAllowedLateness = TimeSpan.FromDays(1);

    public const int MaxAffinitiesLimit = 256;
    public const int DistinctItemsExactBoundLimit = 4096;

    /// <summary>Problems as (property name, what is wrong); empty when the rules are usable.</summary>
    public IReadOnlyList<(string Key, string Problem)> Validate()
    {
        var errors = new List<(string, string)>();
        void Check(bool ok, string key, string problem) { if (!ok) errors.Add((key, problem)); }

        Check(AllowedLateness >= TimeSpan.Zero && AllowedLateness <= MaxAllowedLateness, nameof(AllowedLateness),
            $"must be between 00:00:00 and {MaxAllowedLateness}, got {AllowedLateness}");
        Check(SessionGap > TimeSpan.Zero && SessionGap <= TimeSpan.FromDays(1), nameof(SessionGap), $"must be positive and at most 1.00:00:00, got {SessionGap}");
        Check(AffinityHalfLife >= TimeSpan.FromMinutes(1), nameof(AffinityHalfLife), $"must be at least 00:01:00, got {AffinityHalfLife}");
        Check(MaxAffinities is >= 1 and <= MaxAffinitiesLimit, nameof(MaxAffinities), $"must be 1..{MaxAffinitiesLimit}, got {MaxAffinities}");
        Check(DistinctItemsExactBound is >= 1 and <= DistinctItemsExactBoundLimit, nameof(DistinctItemsExactBound),
            $"must be 1..{DistinctItemsExactBoundLimit}, got {DistinctItemsExactBound}");
        Check(NewFor > TimeSpan.Zero, nameof(NewFor), $"must be positive, got {NewFor}");
        Check(AtRiskAfter > TimeSpan.Zero, nameof(AtRiskAfter), $"must be positive, got {AtRiskAfter}");
        Check(ChurnedAfter > AtRiskAfter, nameof(ChurnedAfter), $"must be longer than AtRiskAfter ({AtRiskAfter}), got {ChurnedAfter}");
        Check(PiiTraits.All(t => !string.IsNullOrWhiteSpace(t)), nameof(PiiTraits), "must not contain empty names");
        return errors;
    }

    /// <summary>Whether the identify trait holds personal data that must be hashed before it is stored.</summary>
    public bool IsHashedTrait(string name)
    {
        if (!HashPii) return false;
        foreach (var t in PiiTraits)
        {
            if (string.Equals(t, name, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
