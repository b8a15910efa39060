using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Host.Demo;

namespace DmpActors.Host.Tests;

/// <summary>--demo defines a campaign and a webhook endpoint to a local listener, and its traffic makes offers.</summary>
public sealed class DemoCampaignsTests
{
    [Fact]
    public async Task A_demo_node_defines_its_campaign_and_webhook_and_queues_offers_for_the_listener()
    {
        using var factory = new DmpHostFactory(new Dictionary<string, string?>
        {
            ["Dmp:Demo:Enabled"] = "true", ["Dmp:Demo:Rate"] = "500", ["Dmp:Demo:Users"] = "40",
        });
        var http = factory.CreateClient();

        await Wait.Until(async () =>
        {
            var list = await http.GetFromJsonAsync<JsonElement>("/v1/campaigns");
            return list.GetProperty("campaigns").EnumerateArray().Any(c => c.GetProperty("id").GetString() == "demo_welcome_back");
        }, TimeSpan.FromSeconds(30), "the demo campaign to be defined");
        var webhook = await http.GetFromJsonAsync<JsonElement>($"/v1/webhooks/{DemoCampaigns.WebhookId}");
        Assert.Equal(DemoCampaigns.Url, webhook.GetProperty("url").GetString());

        // Users entering buyers_30d get offers: each is in the endpoint's outbox under its offer id
        JsonElement log = default;
        await Wait.Until(async () =>
        {
            log = await http.GetFromJsonAsync<JsonElement>($"/v1/webhooks/{DemoCampaigns.WebhookId}/deliveries");
            return log.GetProperty("deliveries").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(60), "an offer for the demo listener");
        Assert.All(log.GetProperty("deliveries").EnumerateArray(), d =>
        {
            Assert.Equal("offer", d.GetProperty("kind").GetString());
            Assert.StartsWith("offer_", d.GetProperty("id").GetString());
        });
        var stats = await http.GetFromJsonAsync<JsonElement>("/v1/campaigns/demo_welcome_back/stats");
        Assert.True(stats.GetProperty("offers").GetInt64() > 0);
    }
}
