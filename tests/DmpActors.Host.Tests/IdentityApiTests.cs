using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>Identity and privacy over HTTP: events through the collector and Kafka, answers from the user entities.</summary>
public sealed class IdentityApiTests : IClassFixture<HttpApiTests.Host>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpApiTests.Host _host;

    public IdentityApiTests(HttpApiTests.Host host) => _host = host;

    private static string AnonView(string eventId, string anonymousId) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"product_view","anonymous_id":"{{{anonymousId}}}","timestamp":"{{{Events.Base:O}}}","properties":{"item_id":"sku-{{{eventId}}}","category":"toys"}}""";

    private static string Identify(string eventId, string userId, string anonymousId) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"identify","user_id":"{{{userId}}}","anonymous_id":"{{{anonymousId}}}","timestamp":"{{{Events.Base.AddMinutes(5):O}}}","traits":{"plan":"pro"}}""";

    private static string Consent(string eventId, string userId) =>
        $$$$"""{"event_id":"{{{{eventId}}}}","type":"consent","user_id":"{{{{userId}}}}","timestamp":"{{{{Events.Base.AddMinutes(6):O}}}}","properties":{"purposes":{"marketing":false}}}""";

    /// <summary>Sends the anonymous visit, waits until it is applied, then the login, and waits for the merge.</summary>
    private async Task LogIn(HttpClient http, string user, string anon, int anonymousViews)
    {
        await http.PostAsync("/v1/events", Events.Batch(Enumerable.Range(0, anonymousViews).Select(i => AnonView($"{anon}-v{i}", anon))));
        await Wait.ForProfile(http, anon, p => p.GetProperty("events_applied").GetInt64() == anonymousViews, Patience);
        await http.PostAsync("/v1/events", Events.Batch([Identify($"{user}-login", user, anon), Consent($"{user}-consent", user)]));
        await Wait.Until(async () =>
        {
            var identity = await http.GetAsync($"/v1/profiles/{user}/identity");
            return identity.IsSuccessStatusCode
                   && (await identity.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("merged_ids").GetArrayLength() == 1;
        }, Patience, $"{anon} to be merged into {user}");
        await Wait.ForProfile(http, user, p => p.GetProperty("events_applied").GetInt64() == anonymousViews + 2, Patience);
    }

    [Fact]
    public async Task After_login_the_anonymous_id_reads_as_the_user_and_its_identity_lists_the_merge()
    {
        var http = _host.Http;
        await LogIn(http, "carol", "anon-c", 3);

        var viaOldId = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/anon-c");
        Assert.Equal("carol", viaOldId.GetProperty("id").GetString());
        Assert.Equal(3, viaOldId.GetProperty("event_counts").GetProperty("product_view").GetInt64());
        var identity = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/anon-c/identity");
        Assert.Equal("carol", identity.GetProperty("id").GetString());
        Assert.Equal("anon-c", identity.GetProperty("merged_ids")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Export_holds_the_profile_consent_merged_ids_and_merge_records_with_both_earlier_states()
    {
        var http = _host.Http;
        await LogIn(http, "dave", "anon-d", 2);

        var export = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/dave/export");

        Assert.Equal("dave", export.GetProperty("profile").GetProperty("id").GetString());
        Assert.False(export.GetProperty("profile").GetProperty("consent").GetProperty("marketing").GetProperty("granted").GetBoolean());
        Assert.Equal("anon-d", export.GetProperty("identity").GetProperty("merged_ids")[0].GetProperty("id").GetString());
        var record = export.GetProperty("merge_records")[0];
        Assert.Equal(("dave", "anon-d", "dave-login"), (record.GetProperty("survivor_id").GetString(), record.GetProperty("absorbed_id").GetString(), record.GetProperty("trigger_event_id").GetString()));
        Assert.Equal(2, record.GetProperty("absorbed_before").GetProperty("events_applied").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/nobody-at-all/export")).StatusCode);
    }

    [Fact]
    public async Task Delete_erases_the_user_and_merged_ids_with_202_then_404_and_later_events_do_not_recreate_it()
    {
        var http = _host.Http;
        await LogIn(http, "erin", "anon-e", 2);

        var erase = await http.DeleteAsync("/v1/profiles/erin");

        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        Assert.Equal(2, (await erase.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("erased_ids").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/erin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/anon-e")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/erin/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/v1/profiles/erin")).StatusCode);

        // A later event for the erased id, then one for a live user behind it on the same path
        await http.PostAsync("/v1/events", Events.Batch([Events.PageView("erin-late", "erin"), AnonView("anon-e-late", "anon-e"), Events.PageView("frank-1", "frank")]));
        await Wait.ForProfile(http, "frank", p => p.GetProperty("events_applied").GetInt64() == 1, Patience);
        await Wait.Until(async () => (await http.GetStringAsync("/metrics")).Contains("dmp_events_quarantined"), Patience, "quarantined events to be counted");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/erin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/anon-e")).StatusCode);
    }

    [Fact]
    public async Task Unmerge_over_http_gives_the_anonymous_id_its_own_profile_back()
    {
        var http = _host.Http;
        await LogIn(http, "gina", "anon-g", 4);

        var response = await http.PostAsync("/v1/profiles/gina/unmerge/anon-g", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var anon = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/anon-g");
        Assert.Equal(("anon-g", 4L), (anon.GetProperty("id").GetString(), anon.GetProperty("events_applied").GetInt64()));
        var gina = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/gina");
        Assert.Equal(2, gina.GetProperty("events_applied").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v1/profiles/gina/unmerge/anon-g", null)).StatusCode);
    }

    [Theory]
    [InlineData("DELETE", "/v1/profiles/%20")]
    [InlineData("GET", "/v1/profiles/%01/export")]
    [InlineData("POST", "/v1/profiles/gina/unmerge/%20")]
    public async Task Bad_ids_are_refused_with_400_and_a_reason(string method, string path)
    {
        var response = await _host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Invalid user id", await response.Content.ReadAsStringAsync());
    }
}
