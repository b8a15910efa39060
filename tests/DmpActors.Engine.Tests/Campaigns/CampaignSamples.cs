using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Campaigns;

namespace DmpActors.Engine.Tests.Campaigns;

/// <summary>One of each campaign wire message, for the serializer's round-trip test.</summary>
public static class CampaignSamples
{
    private static readonly DateTimeOffset T = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly CampaignVersion Version = new("welcome", 2, CampaignCatalogueActorTests.Definition("new-users"), T);

    public static readonly object[] All =
    [
        new PutCampaign("welcome", CampaignCatalogueActorTests.Definition("new-users")),
        new PauseCampaign("welcome", true),
        new CampaignChanged("welcome", "updated", Version),
        new DeleteCampaign("welcome"),
        ListCampaigns.Instance,
        new GetCampaign("welcome"),
        new CampaignHistory("welcome", [Version, Version with { Version = 3, Deleted = true }]),
        new CurrentCampaigns(7, [Version]),
        new CampaignRefused("welcome", [new FieldError("name", "required")]),
        new CampaignVersionRecorded(Version),
        new CampaignCatalogueSnapshot([Version]),
    ];

    public static bool Owns(object message) => message.GetType().Namespace == typeof(PutCampaign).Namespace;
}
