namespace DmpActors.Engine.Campaigns;

/// <summary>Manifests of the campaign messages (merged into <see cref="Serialization.DmpSerializer"/>'s table).</summary>
internal static class CampaignWire
{
    public static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(PutCampaign)] = "put-campaign.v1",
        [typeof(PauseCampaign)] = "pause-campaign.v1",
        [typeof(CampaignChanged)] = "campaign-changed.v1",
        [typeof(DeleteCampaign)] = "delete-campaign.v1",
        [typeof(ListCampaigns)] = "list-campaigns.v1",
        [typeof(GetCampaign)] = "get-campaign.v1",
        [typeof(CampaignHistory)] = "campaign-history.v1",
        [typeof(CurrentCampaigns)] = "current-campaigns.v1",
        [typeof(CampaignRefused)] = "campaign-refused.v1",
        [typeof(CampaignVersionRecorded)] = "campaign-version-recorded.v1",
        [typeof(CampaignCatalogueSnapshot)] = "campaign-catalogue-snapshot.v1",
        [typeof(DecideOffers)] = "decide-offers.v1",
        [typeof(OffersDecided)] = "offers-decided.v1",
        [typeof(OffersPublished)] = "offers-published.v1",
        [typeof(GetOfferDecisions)] = "get-offer-decisions.v1",
        [typeof(OfferDecisions)] = "offer-decisions.v1",
        [typeof(ReserveOffer)] = "reserve-offer.v1",
        [typeof(OfferReservation)] = "offer-reservation.v1",
        [typeof(OfferReserved)] = "offer-reserved.v1",
        [typeof(GetCampaignStats)] = "get-campaign-stats.v1",
        [typeof(CampaignStats)] = "campaign-stats.v1",
    };

    public static readonly IReadOnlyDictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
}
