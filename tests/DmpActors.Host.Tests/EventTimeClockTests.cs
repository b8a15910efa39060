using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>Profiles:Clock = event: a replay of old history is judged against the data's time, not the wall clock.</summary>
public sealed class EventTimeClockTests : IDisposable
{
    private static readonly DateTimeOffset Bought = new(2011, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = Bought.AddDays(7);

    private readonly DmpHostFactory _factory = new(new Dictionary<string, string?> { ["Dmp:Profiles:Clock"] = "event" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Recency_and_lifecycle_follow_the_latest_event_time_and_as_of_reads_at_a_chosen_instant()
    {
        var http = _factory.CreateClient();
        (await http.PostAsync("/v1/events", Events.Batch(
        [
            $$$"""{"event_id":"p-1","type":"purchase","user_id":"dora","timestamp":"{{{Bought:O}}}","properties":{"order_id":"o-1","revenue":12.5,"currency":"GBP","items":[{"item_id":"sku-1","price":12.5,"quantity":1}]}}""",
            $$$"""{"event_id":"v-1","type":"page_view","user_id":"ed","timestamp":"{{{Latest:O}}}","properties":{"url":"/"}}""",
        ]))).EnsureSuccessStatusCode();
        await Wait.ForProfile(http, "ed", p => p.GetProperty("events_applied").GetInt64() == 1, TimeSpan.FromSeconds(30));

        var dora = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/dora");
        Assert.Equal(7.0, dora.GetProperty("value").GetProperty("recency_days").GetDouble(), 6);
        Assert.NotEqual("churned", dora.GetProperty("lifecycle").GetString());

        var dayAfter = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/dora?as_of=2011-03-02T10:00:00Z");
        Assert.Equal(1.0, dayAfter.GetProperty("value").GetProperty("recency_days").GetDouble(), 6);
        var dateOnly = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/dora?as_of=2011-03-11");
        Assert.Equal(9.0 + 14.0 / 24, dateOnly.GetProperty("value").GetProperty("recency_days").GetDouble(), 6);

        var info = await http.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.Equal("event", info.GetProperty("profile_clock").GetProperty("mode").GetString());
        Assert.Equal(Latest, info.GetProperty("profile_clock").GetProperty("now").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_as_of_that_is_not_a_time_is_refused_with_a_reason()
    {
        var http = _factory.CreateClient();
        (await http.PostAsync("/v1/events", Events.Batch([Events.PageView("v-1", "fay")]))).EnsureSuccessStatusCode();
        await Wait.ForProfile(http, "fay", p => p.GetProperty("events_applied").GetInt64() == 1, TimeSpan.FromSeconds(30));

        var response = await http.GetAsync("/v1/profiles/fay?as_of=last-tuesday");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("last-tuesday", await response.Content.ReadAsStringAsync());
    }
}
