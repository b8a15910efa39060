using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>Campaign definitions over HTTP, on the host's catalogue (SQLite journal in its data directory).</summary>
public sealed class CampaignsApiTests(HttpApiTests.Host host) : IClassFixture<HttpApiTests.Host>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private const string Welcome = """
        {"name":"Welcome","trigger":{"kind":"segment_entered","target":"new_users"},
         "variants":[{"id":"a","payload":{"offer_id":"welcome-10"}}],"caps":[{"count":1,"per":"day"}]}
        """;

    [Fact]
    public async Task A_campaign_is_created_versioned_paused_resumed_listed_and_deleted()
    {
        var http = host.Http;

        var created = await http.PutAsync("/v1/campaigns/welcome_http", Json(Welcome));
        var again = await http.PutAsync("/v1/campaigns/welcome_http", Json(Welcome));
        var paused = await http.PostAsync("/v1/campaigns/welcome_http/pause", null);
        var resumed = await http.PostAsync("/v1/campaigns/welcome_http/resume", null);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/campaigns/welcome_http", created.Headers.Location!.OriginalString);
        Assert.Equal("unchanged", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        var pausedView = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(pausedView.GetProperty("campaign").GetProperty("definition").GetProperty("paused").GetBoolean());
        Assert.Equal(3, (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("campaign").GetProperty("version").GetInt32());
        var detail = await http.GetFromJsonAsync<JsonElement>("/v1/campaigns/welcome_http");
        Assert.Equal("new_users", detail.GetProperty("definition").GetProperty("trigger").GetProperty("target").GetString());
        Assert.Equal(3, detail.GetProperty("history").GetArrayLength());
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/campaigns");
        Assert.Contains(list.GetProperty("campaigns").EnumerateArray(), c => c.GetProperty("id").GetString() == "welcome_http");

        var stats = await http.GetFromJsonAsync<JsonElement>("/v1/campaigns/welcome_http/stats");
        Assert.Equal(0, stats.GetProperty("offers").GetInt64());
        Assert.Equal("a", stats.GetProperty("variants")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/campaigns/never_defined/stats")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/v1/campaigns/welcome_http")).StatusCode);
        var gone = await http.GetAsync("/v1/campaigns/welcome_http");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("was deleted (version 4)", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v1/campaigns/never_defined/pause", null)).StatusCode);
    }

    [Fact]
    public async Task An_invalid_campaign_is_refused_with_each_field_named()
    {
        var response = await host.Http.PutAsync("/v1/campaigns/bad_one", Json("""
            {"name":"","trigger":{"kind":"segment_entered","target":"x"},"variants":[],"holdout_percent":150}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["holdout_percent", "name", "variants"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/v1/campaigns/bad_one")).StatusCode);
    }
}
