using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

/// <summary>GET /v1/profiles/{id} with the clock fixed half an hour after the events, so window values are exact.</summary>
public sealed class ProfileViewTests : IDisposable
{
    private static readonly DateTimeOffset Now = Events.Base.AddMinutes(30);
    private readonly DmpHostFactory _root = new();
    private readonly WebApplicationFactory<Program> _factory;

    public ProfileViewTests() =>
        _factory = _root.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(new FixedClock(Now))));

    public void Dispose()
    {
        _factory.Dispose();
        _root.Dispose();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Profile_shows_windows_affinities_lifecycle_value_and_consent_history()
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsync("/v1/events", Events.Batch(
        [
            Events.PageView("v-1", "carol"),
            $$$"""{"event_id":"v-2","type":"product_view","user_id":"carol","timestamp":"{{{Events.Base:O}}}","properties":{"item_id":"sku-9","category":"toys","price":5}}""",
            Events.Purchase("v-3", "carol", 20m),
            $$$$"""{"event_id":"v-4","type":"consent","user_id":"carol","timestamp":"{{{{Events.Base:O}}}}","properties":{"purposes":{"marketing":false}}}""",
            $$$"""{"event_id":"v-5","type":"identify","user_id":"carol","timestamp":"{{{Events.Base:O}}}","traits":{"email":"carol@example.com","city":"York"}}""",
        ]));
        response.EnsureSuccessStatusCode();

        await Wait.ForProfile(http, "carol", p => p.GetProperty("events_applied").GetInt64() == 5, TimeSpan.FromSeconds(30));
        var profile = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/carol");

        var hour = profile.GetProperty("windows").GetProperty("1h");
        Assert.Equal(1, hour.GetProperty("events_by_type").GetProperty("page_view").GetInt64());
        Assert.Equal(1, hour.GetProperty("product_views_by_category").GetProperty("toys").GetInt64());
        Assert.Equal(1, hour.GetProperty("distinct_items_viewed").GetInt64());
        Assert.Equal(1, hour.GetProperty("purchases").GetInt64());
        Assert.Equal(20m, hour.GetProperty("revenue").GetDecimal());
        Assert.Equal(1, hour.GetProperty("sessions").GetInt64());
        Assert.Equal(["1h", "24h", "7d", "30d"], profile.GetProperty("windows").EnumerateObject().Select(p => p.Name));
        Assert.Equal("toys", profile.GetProperty("affinities").GetProperty("categories")[0].GetProperty("key").GetString());
        Assert.Equal("new", profile.GetProperty("lifecycle").GetString());
        Assert.Equal(20m, profile.GetProperty("value").GetProperty("average_order_value").GetDecimal());
        var decision = Assert.Single(profile.GetProperty("consent_history").EnumerateArray());
        Assert.Equal(("marketing", false), (decision.GetProperty("purpose").GetString(), decision.GetProperty("granted").GetBoolean()));
        Assert.StartsWith("sha256:", profile.GetProperty("traits").GetProperty("email").GetString());
        Assert.Equal("York", profile.GetProperty("traits").GetProperty("city").GetString());
    }
}
