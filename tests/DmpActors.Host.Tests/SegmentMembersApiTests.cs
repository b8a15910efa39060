using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Storage;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

/// <summary>GET /v1/segments/{id}/members and /members/count over a node's SQLite member index.</summary>
public sealed class SegmentMembersApiTests : IDisposable
{
    private readonly DmpHostFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>A stored row as an entity would write it: a profile whose country is GB, unless <paramref name="country"/>
    /// says otherwise (so re-evaluating it keeps the member list it was saved with).</summary>
    private static byte[] Stored(string id, string country = "GB") => DmpActors.Engine.Serialization.ProfileCodec.Encode(
        DmpActors.Domain.Profiles.UserProfile.Empty(id) with { Traits = new Dictionary<string, string> { ["country"] = country } });

    /// <summary>Defines <c>gb</c> on the node and stores profiles whose saved member lists put <paramref name="members"/> in it.</summary>
    private async Task<HttpClient> NodeWithMembersAsync(params string[] members)
    {
        var http = _factory.CreateClient();
        var runtime = _factory.Services.GetRequiredService<DmpRuntime>();
        runtime.Engine.Segments.Publish(SegmentSet.Build(1, [new SegmentVersion("gb", 1, "trait.country == \"GB\"", false, Events.Base)]));
        await runtime.Engine.Store.SaveAsync([
            .. members.Select(id => new StoredProfile(id, Stored(id), 1) { Segments = ["gb"] }),
            new StoredProfile("outsider", Stored("outsider", "FR"), 1) { Segments = ["other"] },
        ]);
        return http;
    }

    [Fact]
    public async Task Members_come_in_pages_linked_by_a_cursor_and_the_count_matches()
    {
        var http = await NodeWithMembersAsync("u3", "u1", "u5", "u2", "u4");

        var pages = new List<JsonElement>();
        for (var url = "/v1/segments/gb/members?limit=2"; ;)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(url);
            pages.Add(page);
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null) break;
            url = $"/v1/segments/gb/members?limit=2&cursor={page.GetProperty("next").GetString()}";
        }

        Assert.Equal([["u1", "u2"], ["u3", "u4"], ["u5"]],
            pages.Select(p => p.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).ToArray()));
        Assert.All(pages, p => Assert.Equal("gb", p.GetProperty("segment_id").GetString()));
        var count = await http.GetFromJsonAsync<JsonElement>("/v1/segments/gb/members/count");
        Assert.Equal(5, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_segments_definition_shows_its_live_size_from_the_member_index()
    {
        var http = _factory.CreateClient();
        var runtime = _factory.Services.GetRequiredService<DmpRuntime>();
        (await http.PutAsync("/v1/segments/gb_size", new StringContent("trait.country == \"GB\"", System.Text.Encoding.UTF8, "text/plain")))
            .EnsureSuccessStatusCode();
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/v1/segments/gb_size")).GetProperty("size").GetInt64());

        await runtime.Engine.Store.SaveAsync([.. new[] { "s1", "s2", "s3" }.Select(id => new StoredProfile(id, Stored(id), 1) { Segments = ["gb_size"] })]);

        Assert.Equal(3, (await http.GetFromJsonAsync<JsonElement>("/v1/segments/gb_size")).GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task The_whole_audience_streams_as_csv_or_json_lines()
    {
        // Given more members than one page of the store's reads, one with an id CSV must quote
        var ids = Enumerable.Range(0, 12_000).Select(i => $"user-{i:D5}").Append("o'brien, \"pat\"").ToList();
        var http = await NodeWithMembersAsync([.. ids]);

        var csv = await http.GetAsync("/v1/segments/gb/members?format=csv");
        var jsonl = await http.GetAsync("/v1/segments/gb/members?format=jsonl");

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("gb.csv", csv.Content.Headers.ContentDisposition?.ToString());
        var csvLines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("user_id", csvLines[0]);
        Assert.Equal(ids.Count, csvLines.Length - 1);
        Assert.Contains("\"o'brien, \"\"pat\"\"\"", csvLines);
        Assert.Equal("application/x-ndjson", jsonl.Content.Headers.ContentType?.MediaType);
        var exported = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), exported);
    }

    [Fact]
    public async Task Unknown_segments_and_bad_parameters_are_refused_with_a_reason()
    {
        var http = await NodeWithMembersAsync("u1");

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/segments/outsiders/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/segments/other/members/count")).StatusCode);
        foreach (var query in new[] { "format=xml", "limit=0", "limit=10001", "cursor=%%%" })
        {
            var response = await http.GetAsync($"/v1/segments/gb/members?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("detail", await response.Content.ReadAsStringAsync());
        }
    }
}
