using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using DmpActors.Dashboard.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static DmpActors.Dashboard.Tests.DashboardTests;
using static Microsoft.Playwright.Assertions;

namespace DmpActors.Dashboard.Tests;

/// <summary>The Webhooks view against a host with demo traffic and an endpoint pointing at a real local listener.</summary>
public sealed class WebhooksViewTests(DemoNode node) : IClassFixture<DemoNode>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly LocatorAssertionsToContainTextOptions PatientContains = new() { Timeout = 30_000 };

    [Fact]
    public async Task Webhooks_view_reached_by_keyboard_lists_an_endpoint_with_its_state_circuit_and_deliveries()
    {
        // Given a listener on loopback and an endpoint for it (nothing in the engine publishes to webhooks yet, so the
        // view shows the endpoint with no finished delivery)
        var received = new ConcurrentQueue<string>();
        await using var listener = await StartListenerAsync(received);
        var url = $"{listener.Urls.First()}/hooks";
        var put = await node.Host.Http.PutAsJsonAsync("/v1/webhooks/browser-crm", new { url, secret = Secret, kinds = new[] { "offer" } });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        // When the user moves from the Recommendations tab to the Webhooks tab with the arrow key
        var page = await node.OpenAsync("#recommendations");
        await page.Locator("#tab-recommendations").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.Locator("#tab-webhooks")).ToBeFocusedAsync();
        await Expect(page.Locator("#view-webhooks")).ToBeVisibleAsync();

        // Then the endpoint is listed with its URL, kinds, state and a closed circuit, and no secret anywhere
        var row = page.Locator("#webhooks-list tbody tr", new() { HasText = "browser-crm" });
        await Expect(row).ToContainTextAsync(url, PatientContains);
        await Expect(row).ToContainTextAsync("offer");
        await Expect(row).ToContainTextAsync("enabled");
        await Expect(row.Locator("[data-circuit]")).ToHaveTextAsync("closed");
        // The demo defines its own endpoint (demo-listener) beside the test's.
        await Expect(page.Locator("#tile-webhooks")).ToHaveTextAsync("2");
        await Expect(page.Locator("#tile-webhooks-dead")).ToHaveTextAsync("0");
        Assert.DoesNotContain("whsec_", await page.ContentAsync());

        // And the charts say why they are empty rather than drawing blank axes
        await Expect(page.Locator("#chart-webhook-success-summary")).ToHaveTextAsync("No delivery has finished yet.");
        await Expect(page.Locator("#chart-webhook-latency-summary")).ToHaveTextAsync("No message has been delivered yet.");
        await Expect(page.Locator("#webhooks-error")).ToBeHiddenAsync();
        Assert.Empty(received);
        await DashboardBrowser.ScreenshotAsync(page, "webhooks");
    }

    private static async Task<WebApplication> StartListenerAsync(ConcurrentQueue<string> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/hooks", (HttpRequest request) =>
        {
            received.Enqueue(request.Headers["webhook-id"].ToString());
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }
}
