using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace DmpActors.Host.Tests;

/// <summary>The catalogue and recommendations through the host, with the embedded broker: events go in over HTTP and
/// reach both the user entities (the ingest) and the item statistics (their own consumer).</summary>
public sealed class RecommendationsApiTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DmpHostFactory _factory = new();
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
    private int _next;

    public void Dispose() => _factory.Dispose();

    private string Stamp(int minute) => _t0.AddMinutes(minute).ToString("O");

    private string View(string user, string item, int minute) =>
        $$$"""{"event_id":"rv-{{{++_next}}}","type":"product_view","user_id":"{{{user}}}","timestamp":"{{{Stamp(minute)}}}","properties":{"item_id":"{{{item}}}"}}""";

    private string Purchase(string user, int minute, params string[] items) =>
        $$$"""{"event_id":"rp-{{{++_next}}}","type":"purchase","user_id":"{{{user}}}","timestamp":"{{{Stamp(minute)}}}","properties":{"order_id":"o-{{{_next}}}","revenue":10,"currency":"EUR","items":[{{{string.Join(",", items.Select(i => $$"""{"item_id":"{{i}}","price":5,"quantity":1}"""))}}}]}}""";

    private string DenyPersonalization(string user, int minute) =>
        $$$$"""{"event_id":"rc-{{{{++_next}}}}","type":"consent","user_id":"{{{{user}}}}","timestamp":"{{{{Stamp(minute)}}}}","properties":{"purposes":{"personalization":false}}}""";

    private static async Task Send(HttpClient http, params string[] events) =>
        (await http.PostAsync("/v1/events", Events.Batch(events))).EnsureSuccessStatusCode();

    private static async Task PutItem(HttpClient http, string id, string category, string title, bool available = true) =>
        (await http.PutAsJsonAsync($"/v1/items/{id}", new { title, category, price = 10, tags = new[] { category }, available })).EnsureSuccessStatusCode();

    private static async Task<JsonElement> Recommend(HttpClient http, string query) =>
        await http.GetFromJsonAsync<JsonElement>($"/v1/recommendations/{query}");

    private static string[] Ids(JsonElement recommendation) =>
        recommendation.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item_id").GetString()!).ToArray();

    private static Task UntilCoBought(HttpClient http, string item, string other) => Wait.Until(async () =>
    {
        var a = await http.GetFromJsonAsync<JsonElement>($"/v1/items/{item}/associations");
        return a.GetProperty("co_bought").EnumerateArray().Any(r => r.GetProperty("item").GetString() == other);
    }, Timeout, $"{item} co-bought with {other}");

    private async Task<HttpClient> ShopAsync()
    {
        var http = _factory.CreateClient();
        await PutItem(http, "phone", "phones", "Smartphone X");
        await PutItem(http, "case", "accessories", "Phone case");
        await PutItem(http, "charger", "accessories", "Fast charger");
        await PutItem(http, "gone", "accessories", "Discontinued screen protector", available: false);
        await PutItem(http, "headset", "audio", "Wireless headset");
        await PutItem(http, "cable", "audio", "Audio cable");
        await Send(http, Purchase("a", 0, "phone", "case", "gone"), Purchase("b", 1, "phone", "case"), Purchase("c", 2, "phone", "charger"),
            View("x", "headset", 3), View("x", "cable", 4));
        await UntilCoBought(http, "phone", "charger");
        return http;
    }

    [Fact]
    public async Task Items_are_put_read_listed_and_validated_with_roles()
    {
        var http = _factory.CreateClient();
        await PutItem(http, "sku-1", "shoes", "Trail shoe");

        var item = await http.GetFromJsonAsync<JsonElement>("/v1/items/sku-1");
        Assert.Equal("Trail shoe", item.GetProperty("title").GetString());
        Assert.False(item.GetProperty("learned").GetBoolean());
        var page = await http.GetFromJsonAsync<JsonElement>("/v1/items?limit=10");
        Assert.Equal("sku-1", page.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PutAsJsonAsync("/v1/items/sku-2", new { price = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/items/nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/v1/recommendations/u1?n=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/v1/recommendations/u1?context=sku-1")).StatusCode);

        // An item only events named is learned with what they said.
        await Send(http, View("u", "sku-seen", 0).Replace("\"item_id\":\"sku-seen\"", "\"item_id\":\"sku-seen\",\"category\":\"hats\""));
        await Wait.Until(async () => (await http.GetAsync("/v1/items/sku-seen")).IsSuccessStatusCode, Timeout, "sku-seen learned");
        var learned = await http.GetFromJsonAsync<JsonElement>("/v1/items/sku-seen");
        Assert.True(learned.GetProperty("learned").GetBoolean());
        Assert.Equal("hats", learned.GetProperty("category").GetString());
    }

    [Fact]
    public async Task Recommendations_exclude_bought_and_unavailable_items_and_carry_an_id_and_reasons()
    {
        var http = await ShopAsync();
        await Send(http, Purchase("alice", 5, "case"));
        await Wait.ForProfile(http, "alice", p => p.GetProperty("orders").GetInt32() == 1, Timeout);

        var r = await Recommend(http, "alice?n=10&context=item:phone&slot=product");

        Assert.StartsWith("rec-", r.GetProperty("recommendation_id").GetString());
        Assert.Equal("product", r.GetProperty("slot").GetString());
        var ids = Ids(r);
        Assert.DoesNotContain("case", ids);
        Assert.DoesNotContain("gone", ids);
        Assert.DoesNotContain("phone", ids);
        var first = r.GetProperty("items")[0];
        Assert.Equal(("charger", "co_bought", "phone", "co-bought with phone"),
            (first.GetProperty("item_id").GetString(), first.GetProperty("reason").GetString(), first.GetProperty("reason_item").GetString(),
             first.GetProperty("reason_text").GetString()));
        Assert.Contains("case", Ids(await Recommend(http, "alice?context=item:phone&exclude_bought=false")));
    }

    [Fact]
    public async Task Recommendations_change_right_after_a_new_view()
    {
        var http = await ShopAsync();
        await Send(http, View("dana", "phone", 5));
        await Wait.ForProfile(http, "dana", p => p.GetProperty("recently_viewed_items").GetArrayLength() == 1, Timeout);
        var before = await Recommend(http, "dana");
        Assert.DoesNotContain(before.GetProperty("items").EnumerateArray(), i => i.GetProperty("reason").GetString() == "co_viewed");

        await Send(http, View("dana", "headset", 6));
        await Wait.ForProfile(http, "dana", p => p.GetProperty("recently_viewed_items")[0].GetString() == "headset", Timeout);
        var after = await Recommend(http, "dana");

        var cable = after.GetProperty("items").EnumerateArray().First(i => i.GetProperty("item_id").GetString() == "cable");
        Assert.Equal(("co_viewed", "headset"), (cable.GetProperty("reason").GetString(), cable.GetProperty("reason_item").GetString()));
        Assert.NotEqual(Ids(before), Ids(after));
    }

    [Fact]
    public async Task A_personalization_denial_gets_popularity_only()
    {
        var http = await ShopAsync();
        await Send(http, DenyPersonalization("erin", 5), View("erin", "headset", 6));
        await Wait.ForProfile(http, "erin", p => p.GetProperty("events_applied").GetInt64() == 2, Timeout);

        var r = await Recommend(http, "erin?context=item:headset");

        Assert.False(r.GetProperty("personalized").GetBoolean());
        Assert.NotEmpty(Ids(r));
        Assert.All(r.GetProperty("items").EnumerateArray(), i => Assert.Equal("popular", i.GetProperty("reason").GetString()));
        Assert.Equal("phone", Ids(r)[0]); // bought three times: the most popular
    }

    [Fact]
    public async Task A_new_co_purchase_is_visible_within_a_bounded_delay()
    {
        var http = await ShopAsync();
        var delays = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Send(http, Purchase($"buyer-{i}", 10, $"new-a-{i}", $"new-b-{i}"));
            await UntilCoBought(http, $"new-a-{i}", $"new-b-{i}");
            delays.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        delays.Sort();
        output.WriteLine($"purchase posted -> co-occurrence visible over HTTP: p50 {delays[10]:0} ms, max {delays[^1]:0} ms (20 samples)");
        Assert.True(delays[^1] < 5_000, $"max {delays[^1]:0} ms");
    }
}
