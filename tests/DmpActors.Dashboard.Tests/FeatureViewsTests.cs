using System.Net;
using DmpActors.Dashboard.Tests.Support;
using DmpActors.Host.Tests;
using Microsoft.Playwright;
using static DmpActors.Dashboard.Tests.DashboardTests;
using static Microsoft.Playwright.Assertions;

namespace DmpActors.Dashboard.Tests;

/// <summary>The Segments and Recommendations views and the profile viewer's segments, against a host with demo traffic.</summary>
public sealed class FeatureViewsTests(DemoNode node) : IClassFixture<DemoNode>
{
    private static readonly LocatorAssertionsToContainTextOptions PatientContains = new() { Timeout = 45_000 };

    /// <summary>A user who bought twice within 30 days, so the demo's buyers_30d segment takes them in.</summary>
    private async Task<string> RepeatBuyerAsync()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-2);
        var id = "buyer-" + Guid.NewGuid().ToString("N")[..8];
        var sent = await node.Host.Http.PostAsync("/v1/events", Events.Batch([
            ShopEvents.PageView($"{id}-1", id, now),
            ShopEvents.Purchase($"{id}-2", id, 20m, now.AddSeconds(10)),
            ShopEvents.Purchase($"{id}-3", id, 30m, now.AddSeconds(20)),
        ]));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Wait.ForProfile(node.Host.Http, id, p => p.GetProperty("segments").EnumerateArray().Any(s => s.GetProperty("id").GetString() == "buyers_30d"),
            TimeSpan.FromSeconds(30));
        return id;
    }

    [Fact]
    public async Task Segments_view_reached_by_keyboard_lists_the_segments_with_members_over_time_enters_and_exits_and_the_backfill()
    {
        // Given the dashboard on the Profiles tab, and a user who just entered buyers_30d
        var page = await node.OpenAsync("#profile");
        await RepeatBuyerAsync();

        // When the user moves to the Segments tab with the arrow key
        await page.Locator("#tab-profile").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.Locator("#tab-segments")).ToBeFocusedAsync();
        await Expect(page.Locator("#view-segments")).ToBeVisibleAsync();

        // Then the demo's segments are listed with their mode, and the backfill's progress shows
        var list = page.Locator("#segments-list table");
        await Expect(list).ToContainTextAsync("buyers_30d", PatientContains);
        await Expect(list).ToContainTextAsync("shadow");
        await Expect(page.Locator("#tile-segments")).ToHaveTextAsync("4", Patient);
        await Expect(page.Locator("#backfill-label")).ToContainTextAsync("Backfill of revision");
        await Expect(page.Locator("#backfill-bar")).ToBeVisibleAsync();

        // And the charts have data: the members of each segment over time (buyers_30d has at least the user above, once
        // checkpointed), the enter rate, and enters per segment over the shown period
        await ExpectChartWithDataAsync(page, "chart-segment-sizes");
        await page.WaitForFunctionAsync(
            "() => /buyers_30d: [1-9]/.test(document.getElementById('chart-segment-sizes-summary').textContent)",
            null, new PageWaitForFunctionOptions { Timeout = 45_000, PollingInterval = 500 });
        await ExpectChartWithDataAsync(page, "chart-segment-changes");
        await ExpectChartWithDataAsync(page, "chart-segment-by-id");
        await Expect(page.Locator("#chart-segment-by-id-summary")).ToContainTextAsync("buyers_30d: entered");
        await Expect(page.Locator("#segments-error")).ToBeHiddenAsync();
        await DashboardBrowser.ScreenshotAsync(page, "segments");
    }

    [Fact]
    public async Task Profile_viewer_shows_the_segments_the_user_is_in_and_why()
    {
        var id = await RepeatBuyerAsync();

        var page = await node.OpenAsync($"#profile/{id}");

        await Expect(page.Locator("#profile-title")).ToHaveTextAsync($"Profile {id}", Patient);
        await Expect(page.Locator("table", new() { HasText = "Segments" }).First).ToContainTextAsync("buyers_30d");
        var why = page.Locator("#profile-explain article[data-segment='buyers_30d']");
        await Expect(why).ToContainTextAsync("buyers_30d: member");
        await Expect(why).ToContainTextAsync($"decided by event:{id}-3");
        await Expect(why).ToContainTextAsync("window.purchases.30d >= 2");
        await Expect(why.Locator("table")).ToContainTextAsync("yes");
        await DashboardBrowser.ScreenshotAsync(page, "profile-segments");
    }

    [Fact]
    public async Task Recommendations_view_draws_lists_served_and_latency_and_shows_a_users_items_with_their_reasons()
    {
        // Given a user with a purchase, and recommendation requests made to the node
        var id = await RepeatBuyerAsync();
        var page = await node.OpenAsync("#recommendations");
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("live", Patient);
        // (The item statistics fill from the demo traffic: wait until the user has something to be recommended.)
        var requests = 0;
        await Wait.Until(async () =>
        {
            requests++;
            using var answer = await node.Host.Http.GetAsync($"/v1/recommendations/{id}?n=5");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return (await answer.Content.ReadAsStringAsync()).Contains("\"item_id\"", StringComparison.Ordinal) && requests >= 20;
        }, TimeSpan.FromSeconds(60), "recommendations with items");

        // Then lists served per second and their latency are drawn
        await ExpectChartWithDataAsync(page, "chart-recs-served");
        await ExpectChartWithDataAsync(page, "chart-recs-latency");
        await Expect(page.Locator("#chart-recs-latency-summary")).ToContainTextAsync("p95:");
        await Expect(page.Locator("#tile-recs-total")).Not.ToHaveTextAsync("0", Patient);

        // When the user asks for that user's recommendations by keyboard
        await page.Locator("#recs-user").FocusAsync();
        await page.Keyboard.TypeAsync(id);
        await page.Keyboard.PressAsync("Enter");

        // Then the items are listed, each with its reason
        await Expect(page.Locator("#recs-meta")).ToContainTextAsync($"items for {id}", PatientContains);
        var rows = page.Locator("#recs-result tbody tr");
        await Expect(rows.First).Not.ToContainTextAsync("nothing to recommend");
        Assert.True(await rows.CountAsync() > 0);
        var reason = await rows.First.Locator("td").Last.TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(reason), "the first item has no reason");
        await Expect(page.Locator("#recs-error")).ToBeHiddenAsync();
        await DashboardBrowser.ScreenshotAsync(page, "recommendations");

        // And an id the API refuses shows the API's reason, not an empty table
        await page.Locator("#recs-user").FillAsync(new string('x', 300));
        await page.Locator("#recs-user").PressAsync("Enter");
        await Expect(page.Locator("#recs-error")).ToContainTextAsync("Invalid user id");
        await Expect(page.Locator("#recs-result")).ToBeEmptyAsync();
    }

    [Fact]
    public async Task On_a_phone_the_segments_recommendations_and_profile_views_fit_the_width()
    {
        var id = await RepeatBuyerAsync();
        foreach (var (hash, ready) in new[] { ("#segments", "#segments-list table"), ("#recommendations", "#chart-recs-served"), ($"#profile/{id}", "#profile-explain") })
        {
            var page = await node.OpenAsync(hash, 390, 844);
            await Expect(page.Locator(ready)).ToBeVisibleAsync(new() { Timeout = 30_000 });
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{hash} is {overflow}px wider than a 390px phone screen");
            await DashboardBrowser.ScreenshotAsync(page, "phone-" + hash.TrimStart('#').Split('/')[0]);
            await page.Context.CloseAsync();
        }
    }
}
