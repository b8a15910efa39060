using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Campaigns;
using DmpActors.Engine.Webhooks;

namespace DmpActors.Host.Demo;

/// <summary>
/// --demo: a campaign that answers a user entering <c>buyers_30d</c> with one of two offers, and a webhook endpoint to a
/// local listener (<c>dmpctl webhook listen --port 9000 --secret</c> <see cref="Secret"/>), so offers flow as soon as one runs.
/// </summary>
public static class DemoCampaigns
{
    public const string WebhookId = "demo-listener";
    public const string Url = "http://127.0.0.1:9000/hooks";
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public const string Campaign = """
        {"name":"Thanks for coming back","trigger":{"kind":"segment_entered","target":"buyers_30d"},
         "variants":[{"id":"ten-off","weight":1,"payload":{"offer_id":"ten-off","message":"10% off your next order"}},
                     {"id":"free-shipping","weight":1,"payload":{"offer_id":"free-shipping","message":"Free shipping this week"}}],
         "holdout_percent":10,"caps":[{"count":1,"per":"day"}],"budget":100000,"priority":1}
        """;

    public static async Task DefineAsync(ICampaignCatalogue campaigns, WebhookHub webhooks, ILogger log, CancellationToken ct)
    {
        if (await webhooks.GetAsync(WebhookId, ct) is null)
            await webhooks.SaveAsync(new WebhookSubscription(WebhookId, Url, Secret, [WebhookKinds.Offer]), ct);
        var put = await campaigns.PutAsync("demo_welcome_back", Campaign, ct);
        log.LogInformation("Demo campaign demo_welcome_back v{Version} ({Outcome}); offers go to {Url} (webhook {Webhook})",
            put.Current?.Version, put.Outcome, Url, WebhookId);
    }
}
