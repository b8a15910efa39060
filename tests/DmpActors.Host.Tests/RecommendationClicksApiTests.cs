using System.Net.Http.Json;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>The impression → click loop through the host and the embedded broker: a served list is logged to the
/// impressions topic, a click event naming it comes back through POST /v1/events, and both reach every node's CTR
/// statistics by their feeds.</summary>
public sealed class RecommendationClicksApiTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DmpHostFactory _factory = new(new Dictionary<string, string?> { ["Dmp:Recommendations:Ctr:FatigueImpressions"] = "2" });
    private int _next;

    public void Dispose() => _factory.Dispose();

    private string View(string user, string item, string? recommendation = null) =>
        $$$"""{"event_id":"cv-{{{++_next}}}","type":"product_view","user_id":"{{{user}}}","timestamp":"{{{DateTimeOffset.UtcNow:O}}}","properties":{"item_id":"{{{item}}}"{{{(recommendation is null ? "" : $",\"recommendation_id\":\"{recommendation}\"")}}}}}""";

    private static async Task Send(HttpClient http, params string[] events) =>
        (await http.PostAsync("/v1/events", Events.Batch(events))).EnsureSuccessStatusCode();

    private static async Task<(string Id, string[] Items)> Recommend(HttpClient http, string user)
    {
        var r = await http.GetFromJsonAsync<JsonElement>($"/v1/recommendations/{user}?slot=home&n=3&max_per_category=3");
        Assert.Equal("blend", r.GetProperty("ranked_by").GetString());
        return (r.GetProperty("recommendation_id").GetString()!, r.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!).ToArray());
    }

    private static async Task<JsonElement> Window(HttpClient http, string item, string window = "1h")
    {
        var stats = await http.GetFromJsonAsync<JsonElement>($"/v1/items/{item}/stats");
        return stats.GetProperty("windows").EnumerateArray().Single(w => w.GetProperty("window").GetString() == window);
    }

    private static Task Until(HttpClient http, string item, long impressions, long clicks) => Wait.Until(async () =>
    {
        var w = await Window(http, item);
        return w.GetProperty("impressions").GetInt64() == impressions && w.GetProperty("clicks").GetInt64() == clicks;
    }, Timeout, $"{item}: {impressions} impressions, {clicks} clicks");

    [Fact]
    public async Task Served_lists_and_their_clicks_give_live_ctr_and_fatigue_unclicked_items()
    {
        var http = _factory.CreateClient();
        foreach (var (id, category) in new[] { ("a", "x"), ("b", "y"), ("c", "z"), ("d", "w") })
            (await http.PutAsJsonAsync($"/v1/items/{id}", new { title = id, category, price = 10 })).EnsureSuccessStatusCode();
        await Send(http, View("o", "a"), View("o", "a"), View("o", "a"), View("o", "b"), View("o", "b"), View("o", "c"), View("o", "d"));
        await Wait.Until(async () => (await Recommend(http, "u1")).Items.SequenceEqual(["a", "b", "c"]), Timeout, "a, b, c by popularity");
        await Wait.Until(async () => (await Window(http, "a")).GetProperty("impressions").GetInt64() > 0, Timeout, "the probe lists logged");
        var before = (await Window(http, "a")).GetProperty("impressions").GetInt64();
        var beforeB = (await Window(http, "b")).GetProperty("impressions").GetInt64();

        var (rec, items) = await Recommend(http, "u2");
        Assert.StartsWith("rec-", rec);
        await Until(http, "a", before + 1, 0);
        await Send(http, View("u2", "a", rec), View("u2", "a", rec), View("u2", "d", rec)); // a twice: once; d was not in it
        await Until(http, "a", before + 1, 1);
        var w = await Window(http, "a");
        Assert.True(w.GetProperty("low").GetDouble() > 0 && w.GetProperty("high").GetDouble() <= 1);

        var slots = await http.GetFromJsonAsync<JsonElement>("/v1/recommendations/stats");
        Assert.True(slots.GetProperty("unmatched_clicks").GetInt64() >= 1);
        var home = slots.GetProperty("slots").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "home");
        Assert.Equal(1, home.GetProperty("windows")[0].GetProperty("clicks").GetInt64());

        // b and c have now been shown twice to u2 without a click, a was clicked: the next list leaves b and c out.
        var second = await Recommend(http, "u2");
        Assert.Equal(items, second.Items);
        await Until(http, "b", beforeB + 2, 0);
        var third = await Recommend(http, "u2");
        Assert.Equal(["a", "d"], third.Items);
        Assert.Contains("b", (await Recommend(http, "u3")).Items); // another user is not tired of b
    }
}
