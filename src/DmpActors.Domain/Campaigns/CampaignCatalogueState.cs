using System.Collections.Immutable;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Campaigns;

/// <summary>One version of a campaign: its canonical JSON definition (<see cref="CampaignJson"/>), or a tombstone.</summary>
public sealed record CampaignVersion(string CampaignId, int Version, string Definition, DateTimeOffset DefinedAt, bool Deleted = false)
{
    public CampaignDefinition Parse() => CampaignJson.Parse(CampaignId, Definition);
}

/// <summary>What a command did to the catalogue, and the version to record (null when nothing changes).</summary>
public sealed record CampaignChange(PutOutcome Outcome, CampaignVersion Current, CampaignVersion? Recorded);

/// <summary>
/// The campaign catalogue: every version of every campaign, tombstones included, and a revision that grows by one with
/// each version recorded. Pure: the commands decide what to record, <see cref="Apply"/> folds a recorded version in (on
/// recovery too), so replaying what was recorded gives the state that recorded it.
/// </summary>
public sealed class CampaignCatalogueState
{
    private readonly ImmutableSortedDictionary<string, ImmutableList<CampaignVersion>> _versions;

    private CampaignCatalogueState(long revision, ImmutableSortedDictionary<string, ImmutableList<CampaignVersion>> versions) =>
        (Revision, _versions) = (revision, versions);

    public static CampaignCatalogueState Empty { get; } =
        new(0, ImmutableSortedDictionary.Create<string, ImmutableList<CampaignVersion>>(StringComparer.Ordinal));

    public long Revision { get; }

    /// <summary>The live version of every campaign not deleted, in id order.</summary>
    public IReadOnlyList<CampaignVersion> Live => _versions.Values.Select(h => h[^1]).Where(v => !v.Deleted).ToArray();

    public IReadOnlyList<CampaignVersion> History(string id) => _versions.GetValueOrDefault(id) ?? [];

    public CampaignVersion? Find(string id) => History(id) is { Count: > 0 } h && !h[^1].Deleted ? h[^1] : null;

    /// <summary>Defines a campaign: a new version unless its canonical definition is the live one's.</summary>
    public CampaignChange Put(CampaignDefinition definition, DateTimeOffset at)
    {
        var json = CampaignJson.Write(definition);
        var history = History(definition.Id);
        var live = Find(definition.Id);
        if (live is not null && live.Definition == json) return new CampaignChange(PutOutcome.Unchanged, live, null);
        var next = new CampaignVersion(definition.Id, history.Count == 0 ? 1 : history[^1].Version + 1, json, at);
        return new CampaignChange(live is null ? PutOutcome.Created : PutOutcome.Updated, next, next);
    }

    /// <summary>Pauses or resumes a live campaign (a new version when the flag changes); null when it is not live.</summary>
    public CampaignChange? SetPaused(string id, bool paused, DateTimeOffset at) =>
        Find(id) is { } live ? Put(live.Parse() with { Paused = paused }, at) : null;

    /// <summary>The tombstone deleting a live campaign records; null when it is not live.</summary>
    public CampaignVersion? Delete(string id, DateTimeOffset at) =>
        Find(id) is { } live ? live with { Version = live.Version + 1, DefinedAt = at, Deleted = true } : null;

    /// <exception cref="InvalidOperationException">The version does not follow the campaign's latest by one.</exception>
    public CampaignCatalogueState Apply(CampaignVersion version)
    {
        var history = _versions.GetValueOrDefault(version.CampaignId) ?? [];
        var expected = history.Count == 0 ? 1 : history[^1].Version + 1;
        if (version.Version != expected)
            throw new InvalidOperationException($"campaign {version.CampaignId}: version {version.Version} where {expected} was due");
        return new CampaignCatalogueState(Revision + 1, _versions.SetItem(version.CampaignId, history.Add(version)));
    }

    public static CampaignCatalogueState From(IEnumerable<CampaignVersion> versions) => versions.Aggregate(Empty, (s, v) => s.Apply(v));

    /// <summary>Every version, by campaign then version: <see cref="From"/> of it is this state again.</summary>
    public IReadOnlyList<CampaignVersion> AllVersions() => _versions.Values.SelectMany(h => h).ToArray();
}
