using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>Segment definitions over HTTP, on the host's catalogue (SQLite journal in its data directory).</summary>
public sealed class SegmentsApiTests(HttpApiTests.Host host) : IClassFixture<HttpApiTests.Host>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static StringContent Text(string rule) => new(rule, Encoding.UTF8, "text/plain");

    [Fact]
    public async Task A_segment_is_created_versioned_listed_shown_with_its_history_and_deleted()
    {
        var http = host.Http;

        var created = await http.PutAsync("/v1/segments/buyers_http", Text("window.purchases.30d >= 2"));
        var again = await http.PutAsync("/v1/segments/buyers_http", Text("window.purchases.30d>=2"));
        var changed = await http.PutAsync("/v1/segments/buyers_http", Text("window.purchases.30d >= 3"));
        var tree = await http.PutAsync("/v1/segments/buyers_http", Events.Json(
            """{"rule":{"op":">=","field":"window.purchases.30d","value":3},"shadow":true}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/segments/buyers_http", created.Headers.Location!.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("created", body.GetProperty("outcome").GetString());
        Assert.Equal(1, body.GetProperty("segment").GetProperty("version").GetInt32());
        Assert.Equal((HttpStatusCode.OK, "unchanged", 1), await Outcome(again));
        Assert.Equal((HttpStatusCode.OK, "updated", 2), await Outcome(changed));
        Assert.Equal((HttpStatusCode.OK, "updated", 3), await Outcome(tree));

        var detail = await http.GetFromJsonAsync<JsonElement>("/v1/segments/buyers_http");
        Assert.Equal("window.purchases.30d >= 3", detail.GetProperty("rule").GetString());
        Assert.True(detail.GetProperty("shadow").GetBoolean());
        Assert.Equal(">=", detail.GetProperty("rule_json").GetProperty("op").GetString());
        Assert.Equal([1, 2, 3], detail.GetProperty("history").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/segments");
        Assert.Contains(list.GetProperty("segments").EnumerateArray(), s => s.GetProperty("id").GetString() == "buyers_http");
        Assert.True(list.GetProperty("revision").GetInt64() >= 3);
        await Wait.Until(() => Task.FromResult(host.Runtime.Engine.Segments.Current.Find("buyers_http")?.Version == 3), Patience,
            "the node to evaluate version 3");

        var deleted = await http.DeleteAsync("/v1/segments/buyers_http");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(4, (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        var gone = await http.GetAsync("/v1/segments/buyers_http");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("was deleted (version 4)", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/v1/segments/buyers_http")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/segments/never_defined")).StatusCode);
        await Wait.Until(() => Task.FromResult(host.Runtime.Engine.Segments.Current.Find("buyers_http") is null), Patience,
            "the node to stop evaluating the deleted segment");
    }

    [Fact]
    public async Task A_rule_given_as_a_bare_json_tree_with_the_shadow_flag_in_the_query_is_defined()
    {
        var response = await host.Http.PutAsync("/v1/segments/shoes_http?shadow=true",
            Events.Json("""{"op":">","field":"affinity.category","args":["shoes"],"value":0.4}"""));

        Assert.Equal((HttpStatusCode.Created, "created", 1), await Outcome(response));
        var detail = await host.Http.GetFromJsonAsync<JsonElement>("/v1/segments/shoes_http");
        Assert.Equal("affinity.category(\"shoes\") > 0.4", detail.GetProperty("rule").GetString());
        Assert.True(detail.GetProperty("shadow").GetBoolean());
    }

    [Theory]
    [InlineData("window.purchases.30d = 2", 1, 22, "'=' is not an operator")]
    [InlineData("orders >= 1 and\n  windw.purchases.30d >= 2", 2, 3, "unknown field 'windw.purchases.30d'")]
    [InlineData("trait.country > 3", 1, 1, "trait.country is a string")]
    public async Task A_rule_that_does_not_parse_or_check_is_refused_with_line_column_and_message(string rule, int line, int column, string message)
    {
        var response = await host.Http.PutAsync("/v1/segments/refused_http", Text(rule));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(line, problem.GetProperty("line").GetInt32());
        Assert.Equal(column, problem.GetProperty("column").GetInt32());
        Assert.Contains(message, problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(line, problem.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/v1/segments/refused_http")).StatusCode);
    }

    [Theory]
    [InlineData("/v1/segments/Bad%20Id", "text/plain", "orders >= 1", "Invalid segment id")]
    [InlineData("/v1/segments/empty_http", "text/plain", "  ", "the body is empty")]
    [InlineData("/v1/segments/json_http", "application/json", "{\"rule\": 3}", "\"rule\" is the rule text")]
    [InlineData("/v1/segments/json_http", "application/json", "{\"rule\": \"orders >= 1\", \"shadow\": \"yes\"}", "\"shadow\" must be true or false")]
    [InlineData("/v1/segments/json_http", "application/json", "{\"rule\": ", "not valid JSON")]
    [InlineData("/v1/segments/json_http", "application/json", "{\"rule\": {\"op\": \"xor\"}}", "Invalid rule tree")]
    [InlineData("/v1/segments/json_http?shadow=maybe", "text/plain", "orders >= 1", "shadow must be true or false")]
    public async Task A_malformed_definition_is_refused_with_the_reason(string path, string contentType, string body, string reason)
    {
        var response = await host.Http.PutAsync(path, new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("title").GetString() + ": " + problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode, string?, int)> Outcome(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("outcome").GetString(), body.GetProperty("segment").GetProperty("version").GetInt32());
    }
}
