using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DmpActors.Host.Tests;

/// <summary>GET /v1/webhooks on a running host: every endpoint with its deliveries to a real local subscriber and its circuit.</summary>
public sealed class WebhookListApiTests : IClassFixture<HttpApiTests.Host>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpApiTests.Host _host;

    public WebhookListApiTests(HttpApiTests.Host host) => _host = host;

    [Fact]
    public async Task The_list_shows_each_endpoint_with_its_deliveries_and_circuit_and_never_a_secret()
    {
        // A subscriber that takes every message except those whose id starts with "refuse" (400: dead at once).
        var received = new ConcurrentQueue<string>();
        await using var subscriber = await StartSubscriberAsync(id =>
        {
            received.Enqueue(id);
            return id.StartsWith("refuse", StringComparison.Ordinal) ? 400 : 200;
        });
        var http = _host.Http;
        var url = $"{subscriber.Urls.First()}/hook";
        Assert.Equal(HttpStatusCode.Created,
            (await http.PutAsJsonAsync("/v1/webhooks/list-live", new { url, secret = Secret, kinds = new[] { "offer" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await http.PutAsJsonAsync("/v1/webhooks/list-off",
            new { url = "http://127.0.0.1:9/hook", secret = Secret, kinds = new[] { "segment_change" }, enabled = false })).StatusCode);

        foreach (var id in new[] { "take-1", "take-2", "refuse-1" })
            await _host.Runtime.Engine.Webhooks.PublishAsync(WebhookKinds.Offer, id, $$"""{"offer_id":"{{id}}"}""");

        var live = await EventuallyAsync(http, "list-live", w => w.GetProperty("deliveries").GetProperty("pending").GetInt32() == 0);
        Assert.Equal(url, live.GetProperty("url").GetString());
        Assert.True(live.GetProperty("enabled").GetBoolean());
        Assert.Equal(["offer"], live.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("closed", live.GetProperty("circuit").GetString());
        var d = live.GetProperty("deliveries");
        Assert.Equal(2, d.GetProperty("delivered").GetInt32());
        Assert.Equal(1, d.GetProperty("dead").GetInt32());
        Assert.Equal(1, d.GetProperty("failed").GetInt32());
        Assert.Equal(3, d.GetProperty("recent").GetInt32());
        Assert.Equal(2.0 / 3, d.GetProperty("success_rate").GetDouble(), 6);
        var p50 = d.GetProperty("latency_ms_p50").GetDouble();
        Assert.InRange(p50, 0.001, 10_000);
        Assert.InRange(d.GetProperty("latency_ms_p95").GetDouble(), p50, 10_000);
        Assert.Equal(3, received.Count);

        var off = await EventuallyAsync(http, "list-off", _ => true);
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("deliveries").GetProperty("success_rate").ValueKind);

        var body = await http.GetStringAsync("/v1/webhooks");
        Assert.DoesNotContain("whsec_", body);
        Assert.DoesNotContain("secret", body);
    }

    private static async Task<JsonElement> EventuallyAsync(HttpClient http, string id, Func<JsonElement, bool> ready)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var list = await http.GetFromJsonAsync<JsonElement>("/v1/webhooks");
            var found = list.GetProperty("webhooks").EnumerateArray().Where(w => w.GetProperty("id").GetString() == id).ToList();
            if (found.Count == 1 && ready(found[0])) return found[0];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{id} not as expected in {list}");
            await Task.Delay(100);
        }
    }

    private static async Task<WebApplication> StartSubscriberAsync(Func<string, int> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/hook", (HttpRequest request) => Results.StatusCode(answer(request.Headers["webhook-id"].ToString())));
        await app.StartAsync();
        return app;
    }
}
