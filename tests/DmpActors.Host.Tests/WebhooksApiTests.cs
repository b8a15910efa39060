using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Webhooks;

namespace DmpActors.Host.Tests;

/// <summary>/v1/webhooks on a running host: the subscription's lifecycle, its write-only secret and its delivery log.</summary>
public sealed class WebhooksApiTests : IClassFixture<HttpApiTests.Host>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private readonly HttpApiTests.Host _host;

    public WebhooksApiTests(HttpApiTests.Host host) => _host = host;

    [Fact]
    public async Task A_webhook_is_created_read_updated_and_deleted_and_its_secret_never_comes_back()
    {
        var http = _host.Http;
        var created = await http.PutAsJsonAsync("/v1/webhooks/crm-api",
            new { url = "http://127.0.0.1:9/hook", secret = Secret, kinds = new[] { "offer" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain("whsec_", await created.Content.ReadAsStringAsync());

        var read = await http.GetFromJsonAsync<JsonElement>("/v1/webhooks/crm-api");
        Assert.Equal("http://127.0.0.1:9/hook", read.GetProperty("url").GetString());
        Assert.False(read.TryGetProperty("secret", out _));

        // An update without the secret keeps it.
        var updated = await http.PutAsJsonAsync("/v1/webhooks/crm-api",
            new { url = "http://127.0.0.1:9/other", kinds = new[] { "offer", "segment_change" }, enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var view = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(view.GetProperty("enabled").GetBoolean());
        Assert.Equal(2, view.GetProperty("kinds").GetArrayLength());

        var log = await http.GetFromJsonAsync<JsonElement>("/v1/webhooks/crm-api/deliveries?status=dead");
        Assert.Equal(0, log.GetProperty("deliveries").GetArrayLength());
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/v1/webhooks/crm-api/redeliver", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/v1/webhooks/crm-api")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/webhooks/crm-api")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/webhooks/crm-api/deliveries")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_webhook_is_refused_with_each_field_named()
    {
        var response = await _host.Http.PutAsJsonAsync("/v1/webhooks/bad-one", new { url = "ftp://x", kinds = new[] { "sms" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["kinds[0]", "secret", "url"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task A_published_offer_is_in_the_delivery_log_with_its_outcome()
    {
        var http = _host.Http;
        await http.PutAsJsonAsync("/v1/webhooks/nobody-home", new { url = "http://127.0.0.1:9/hook", secret = Secret, kinds = new[] { "offer" } });
        var published = await _host.Runtime.Engine.Webhooks.PublishAsync(WebhookKinds.Offer, "msg-api-1", """{"offer_id":"o-1"}""");
        Assert.Equal(1, published.Queued);

        var log = await http.GetFromJsonAsync<JsonElement>("/v1/webhooks/nobody-home/deliveries");
        var entry = Assert.Single(log.GetProperty("deliveries").EnumerateArray());
        Assert.Equal("msg-api-1", entry.GetProperty("id").GetString());
        Assert.Equal("offer", entry.GetProperty("kind").GetString());
        Assert.Equal("pending", entry.GetProperty("status").GetString()); // port 9 refuses: retries are under way
    }
}
