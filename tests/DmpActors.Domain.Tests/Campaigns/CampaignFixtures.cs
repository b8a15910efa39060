using System.Text.Json;
using DmpActors.Domain.Campaigns;

namespace DmpActors.Domain.Tests.Campaigns;

internal static class CampaignFixtures
{
    public static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static JsonElement Payload(string offer) => JsonDocument.Parse($$"""{"offer_id":"{{offer}}"}""").RootElement.Clone();

    public static CampaignDefinition Campaign(string id = "spring-sale") => new()
    {
        Id = id,
        Name = "Spring sale",
        Trigger = new CampaignTrigger(TriggerKind.SegmentEntered, "cart-abandoners"),
        Variants = [new OfferVariant("a", 1, Payload("o-a")), new OfferVariant("b", 1, Payload("o-b"))],
    };

    public static DecisionInput Input(string user, DateTimeOffset now) => new() { UserId = user, Now = now };
}
