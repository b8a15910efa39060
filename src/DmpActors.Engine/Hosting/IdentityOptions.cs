using DmpActors.Domain.Identity;

namespace DmpActors.Engine.Hosting;

/// <summary>Identity stitching (Dmp:Identity); docs/identity.md.</summary>
public sealed class IdentityOptions
{
    /// <summary>Id values that never link profiles (compared trimmed, ignoring case). Null = the built-in list
    /// (<see cref="MergeRules.DefaultBlockedIds"/>); setting it replaces that list.</summary>
    public string[]? BlockedIds { get; set; }

    /// <summary>Most known user ids one profile may hold; a merge that would exceed it is refused.</summary>
    public int MaxUserIdsPerProfile { get; set; } = 1;

    /// <summary>How long a merge waits for the other profile before it is abandoned (and its event replayed).</summary>
    public TimeSpan MergeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public MergeRules Rules() => new(BlockedIds ?? MergeRules.DefaultBlockedIds, MaxUserIdsPerProfile);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(MaxUserIdsPerProfile >= 1, "MaxUserIdsPerProfile", $"must be at least 1, got {MaxUserIdsPerProfile}");
        problems.Check(BlockedIds is null || BlockedIds.All(b => b is not null), "BlockedIds", "must not contain null entries");
        problems.Check(MergeTimeout > TimeSpan.Zero, "MergeTimeout", "must be positive");
    }
}

/// <summary>Erasure (Dmp:Privacy).</summary>
public sealed class PrivacyOptions
{
    /// <summary>How long events carrying an erased id are dropped instead of recreating the profile.</summary>
    public TimeSpan QuarantinePeriod { get; set; } = TimeSpan.FromDays(30);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(QuarantinePeriod >= TimeSpan.Zero, "QuarantinePeriod", "must not be negative (0 = erased ids may return at once)");
    }
}
