using System.Text.Json;

namespace DmpActors.Domain.Campaigns;

/// <summary>The body of an offer (docs/campaigns.md#what-a-subscriber-receives).</summary>
public static class OfferJson
{
    public static OfferMessage Write(CampaignDefinition campaign, CampaignDecision decision, TriggerCause cause)
    {
        var variant = campaign.Variants.First(v => v.Id == decision.VariantId);
        var id = OfferIds.For(campaign.Id, decision.UserId, cause.CauseId);
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["type"] = "offer",
            ["offer_id"] = id,
            ["campaign_id"] = campaign.Id,
            ["campaign_name"] = campaign.Name,
            ["variant_id"] = variant.Id,
            ["user_id"] = decision.UserId,
            ["trigger"] = new Dictionary<string, string>
            {
                ["kind"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(cause.Kind.ToString()), ["target"] = cause.Target, ["cause_id"] = cause.CauseId,
            },
            ["payload"] = variant.Payload,
            ["decided_at"] = decision.DecidedAt,
        });
        return new OfferMessage(id, decision.UserId, body);
    }
}
