using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Campaigns;

/// <summary>Defines a campaign from its JSON (checked again by the catalogue). Answered by <see cref="CampaignChanged"/> or
/// <see cref="CampaignRefused"/>.</summary>
public sealed record PutCampaign(string CampaignId, string Definition) : IWireMessage;

/// <summary>Pauses or resumes a campaign. Answered by <see cref="CampaignChanged"/>, or <see cref="CampaignRefused"/> when
/// the campaign is not live.</summary>
public sealed record PauseCampaign(string CampaignId, bool Paused) : IWireMessage;

/// <param name="Outcome">created, updated or unchanged (a tombstone for a delete).</param>
/// <param name="Current">The version current afterwards; null when a delete found nothing live.</param>
public sealed record CampaignChanged(string CampaignId, string Outcome, CampaignVersion? Current) : IWireMessage;

/// <summary>Records a tombstone version. Answered by <see cref="CampaignChanged"/>.</summary>
public sealed record DeleteCampaign(string CampaignId) : IWireMessage;

/// <summary>Asks for every live definition. Answered by <see cref="CurrentCampaigns"/>.</summary>
public sealed record ListCampaigns : IWireMessage
{
    public static readonly ListCampaigns Instance = new();
}

/// <summary>Asks for one campaign's versions. Answered by <see cref="CampaignHistory"/>.</summary>
public sealed record GetCampaign(string CampaignId) : IWireMessage;

public sealed record CampaignHistory(string CampaignId, IReadOnlyList<CampaignVersion> Versions) : IWireMessage;

/// <summary>The live definitions at a revision: the answer to <see cref="ListCampaigns"/> and the value replicated to
/// every node (a last-writer-wins register clocked by the revision).</summary>
public sealed record CurrentCampaigns(long Revision, IReadOnlyList<CampaignVersion> Campaigns) : IWireMessage
{
    public static readonly CurrentCampaigns Empty = new(0, []);
}

/// <summary>The catalogue refused a command; each error names its field.</summary>
public sealed record CampaignRefused(string CampaignId, IReadOnlyList<FieldError> Errors) : IWireMessage;

/// <summary>The catalogue's journal event.</summary>
public sealed record CampaignVersionRecorded(CampaignVersion Version) : IWireMessage;

/// <summary>The catalogue's snapshot: every version, by campaign then version.</summary>
public sealed record CampaignCatalogueSnapshot(IReadOnlyList<CampaignVersion> Versions) : IWireMessage;
