using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Campaigns;

namespace DmpActors.Engine.Tests.Campaigns;

/// <summary>One of each campaign wire message, for the serializer's round-trip test.</summary>
public static class CampaignSamples
{
    private static readonly DateTimeOffset T = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly CampaignVersion Version = new("welcome", 2, CampaignCatalogueActorTests.Definition("new-users"), T);

    private static readonly TriggerCause Cause = new(TriggerKind.SegmentEntered, "buyers", "chg-1", T);
    private static readonly CampaignDecision Decision = new CampaignDecision("welcome", "u1", T, DecisionOutcome.Sent, "variant a by fixed split")
        with { VariantId = "a" };
    private static readonly OfferMessage Offer = new(OfferIds.For("welcome", "u1", "chg-1"), "u1", """{"type":"offer"}""");

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
        new DecideOffers("u1", Cause),
        new OffersDecided("u1", Cause, [Decision, new CampaignDecision("other", "u1", T, DecisionOutcome.Deferred, "quiet") { DeferredUntil = T }], [Offer]),
        new OffersPublished([Offer.OfferId]),
        new GetOfferDecisions("u1"),
        new OfferDecisions("u1", [Decision], [new SentOffer("welcome", T)]),
        new ReserveOffer("welcome", "u1", "chg-1", "a"),
        new OfferReservation("welcome", true, "a", "offer 1 of 3"),
        new OfferReserved("u1", "chg-1", "a"),
        new GetCampaignStats("welcome"),
        new CampaignStats("welcome", 3, 10, [new VariantOffers("a", 3)]),
    ];

    public static bool Owns(object message) => message.GetType().Namespace == typeof(PutCampaign).Namespace;
}
