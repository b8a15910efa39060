using System.Globalization;
using System.Net;
using DmpActors.Dashboard.Tests.Support;
using DmpActors.Host.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DmpActors.Dashboard.Tests;

/// <summary>The dashboard in headless Chromium against a host process with demo traffic, in open mode.</summary>
public sealed class DashboardTests(DemoNode node) : IClassFixture<DemoNode>
{
    internal static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    private Task<IPage> OpenAsync(string hash = "", int width = 1280, int height = 800) => node.OpenAsync(hash, width, height);

    [Fact]
    public async Task Stream_view_draws_rates_rejections_lag_and_checkpoints_and_events_per_second_rise_with_a_burst()
    {
        // Given the dashboard open on a node with light demo traffic
        var page = await OpenAsync();
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("live", Patient);

        // Then every stream chart has data and is painted, and the demo's invalid events show by reason
        foreach (var chart in new[] { "chart-rates", "chart-lag", "chart-checkpoint-age", "chart-checkpoint-duration", "chart-rejected" })
            await ExpectChartWithDataAsync(page, chart);
        await Expect(page.Locator("#chart-rates-summary")).ToContainTextAsync("consumed:");
        await Expect(page.Locator("#chart-lag-summary")).ToContainTextAsync("partition 0");
        // (Only the demo's light traffic so far: the burst below is what must lift the rate.)
        Assert.InRange(await RateAsync(page, "#tile-consumed"), 0, DemoNode.DemoRate * 3);

        // When the test sends a burst far above the demo rate
        using var burst = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sending = SendBurstAsync(burst.Token);
        try
        {
            // Then events per second consumed rise on the page
            await page.WaitForFunctionAsync(
                $"() => parseFloat(document.getElementById('tile-consumed').textContent.replace(/,/g, '')) > {DemoNode.DemoRate * 5}",
                null, new PageWaitForFunctionOptions { Timeout = 45_000, PollingInterval = 250 });
        }
        finally
        {
            await burst.CancelAsync();
            await sending;
        }
        Assert.True(await RateAsync(page, "#tile-applied") > 0);
        await DashboardBrowser.ScreenshotAsync(page, "stream");
    }

    [Fact]
    public async Task Cluster_view_reached_by_keyboard_shows_this_node_its_shards_and_entities_and_the_singleton()
    {
        var page = await OpenAsync();
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("live", Patient);

        // When the user moves from the Stream tab to the Cluster tab with the arrow key
        await page.Locator("#tab-stream").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");

        // Then the cluster view shows, focused on its tab, with this one node up and hosting the user shards
        await Expect(page.Locator("#tab-cluster")).ToBeFocusedAsync();
        await Expect(page.Locator("#view-cluster")).ToBeVisibleAsync();
        await Expect(page.Locator("#view-stream")).ToBeHiddenAsync();
        await Expect(page.Locator("#tile-nodes")).ToHaveTextAsync("1", Patient);
        await Expect(page.Locator("#view-cluster table")).ToContainTextAsync("up");
        await Expect(page.Locator("#view-cluster table")).ToContainTextAsync("(this node)");
        await Expect(page.Locator("#tile-singleton")).Not.ToHaveTextAsync("—");
        await ExpectChartWithDataAsync(page, "chart-shards");
        await ExpectChartWithDataAsync(page, "chart-entities");
        await DashboardBrowser.ScreenshotAsync(page, "cluster");
    }

    [Fact]
    public async Task Profile_viewer_shows_a_profile_the_test_just_created_with_windows_identity_links_and_consent()
    {
        // Given a user who browsed anonymously, signed in, set consent and bought for 42.50
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var id = "dash-" + Guid.NewGuid().ToString("N")[..8];
        var anonymous = "anon-" + id;
        var sent = await node.Host.Http.PostAsync("/v1/events", Events.Batch([
            ShopEvents.AnonymousView($"{id}-1", anonymous, now),
            ShopEvents.Identify($"{id}-2", id, anonymous, now.AddSeconds(10)),
            ShopEvents.Consent($"{id}-3", id, now.AddSeconds(20)),
            ShopEvents.PageView($"{id}-4", id, now.AddSeconds(30)),
            ShopEvents.Purchase($"{id}-5", id, 42.50m, now.AddSeconds(40)),
        ]));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Wait.ForProfile(node.Host.Http, id, p => p.GetProperty("orders").GetInt32() == 1, TimeSpan.FromSeconds(30));

        // When the user searches for it in the profile viewer, by keyboard
        var page = await OpenAsync("#profile");
        await Expect(page.Locator("#profile-id")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(id);
        await page.Keyboard.PressAsync("Enter");

        // Then the live profile shows with its values, windows as sparklines, identity links and consent history
        await Expect(page.Locator("#profile-title")).ToHaveTextAsync($"Profile {id}", Patient);
        await Expect(page.Locator("#profile-revenue")).ToHaveTextAsync("42.5");
        await Expect(page.Locator("#profile-error")).ToBeHiddenAsync();
        for (var spark = 0; spark < 6; spark++) await ExpectChartWithDataAsync(page, $"spark-{spark}");
        await Expect(page.Locator("#spark-4-summary")).ToHaveTextAsync("purchases: 1 (30d)");
        await Expect(page.Locator("table", new() { HasText = "Identity links" })).ToContainTextAsync(anonymous);
        var consent = page.Locator("table", new() { HasText = "Consent history" });
        await Expect(consent).ToContainTextAsync("marketing");
        await Expect(consent).ToContainTextAsync("withdrawn");
        Assert.EndsWith($"#profile/{id}", page.Url);
        await DashboardBrowser.ScreenshotAsync(page, "profile");
    }

    [Fact]
    public async Task An_api_error_shows_as_a_message_on_the_page_and_not_as_a_blank_view()
    {
        var page = await OpenAsync("#profile");
        await page.Locator("#profile-id").FillAsync("nobody-" + Guid.NewGuid().ToString("N"));
        await page.Locator("#profile-id").PressAsync("Enter");

        var error = page.Locator("#profile-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveAttributeAsync("role", "alert");
        await Expect(error).ToContainTextAsync("Unknown user");
        await Expect(error).ToContainTextAsync("HTTP 404");
        await Expect(page.Locator("#profile-result")).ToBeEmptyAsync();

        // An id the API refuses as invalid reports the API's reason too
        await page.Locator("#profile-id").FillAsync(new string('x', 300));
        await page.Locator("#profile-id").PressAsync("Enter");
        await Expect(error).ToContainTextAsync("Invalid user id");
        await DashboardBrowser.ScreenshotAsync(page, "error");
    }

    [Fact]
    public async Task On_a_phone_the_stream_view_fits_the_width_and_keeps_its_charts()
    {
        var page = await OpenAsync(width: 390, height: 844);
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("live", Patient);
        await ExpectChartWithDataAsync(page, "chart-rates");
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a 390px phone screen");
        await DashboardBrowser.ScreenshotAsync(page, "phone");
    }

    /// <summary>The chart's figure says it holds data, and its canvas has painted pixels.</summary>
    internal static async Task ExpectChartWithDataAsync(IPage page, string id)
    {
        var figure = page.Locator($"figure:has(#{id})");
        await Expect(figure).Not.ToHaveAttributeAsync("data-points", "0", new() { Timeout = 30_000 });
        await Expect(page.Locator($"#{id}")).ToBeVisibleAsync();
        var painted = await page.EvaluateAsync<int>(
            """
            id => {
              const canvas = document.getElementById(id);
              const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let n = 0;
              for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
              return n;
            }
            """, id);
        Assert.True(painted > 100, $"{id} has data but painted {painted} pixels");
    }

    private static async Task<double> RateAsync(IPage page, string tile)
    {
        var text = await page.Locator(tile).TextContentAsync() ?? "";
        return double.Parse(text.Replace("/s", "").Replace(",", ""), CultureInfo.InvariantCulture);
    }

    /// <summary>About 2,000 events a second over 200 users through the collector, until cancelled.</summary>
    private async Task SendBurstAsync(CancellationToken ct)
    {
        var batch = 0;
        while (!ct.IsCancellationRequested)
        {
            var at = DateTimeOffset.UtcNow;
            var events = Enumerable.Range(0, 500).Select(i => ShopEvents.PageView($"burst-{batch}-{i}", $"burst-user-{i % 200}", at));
            try
            {
                using var response = await node.Host.Http.PostAsync("/v1/events", Events.Batch(events), ct);
                await Task.Delay(250, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            batch++;
        }
    }
}
