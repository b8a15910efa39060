using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Segments;

namespace DmpActors.Host.Tests;

public sealed class ProfileExplainTests : IClassFixture<HttpApiTests.Host>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpApiTests.Host _host;

    public ProfileExplainTests(HttpApiTests.Host host) => _host = host;

    [Fact]
    public async Task Explain_shows_each_segment_with_its_version_clause_values_and_the_event_that_decided_it()
    {
        // Given a node evaluating "buyers", and a user's purchase
        var http = _host.Http;
        _host.Runtime.Engine.Segments.Publish(SegmentSet.Build(_host.Runtime.Engine.Segments.Current.Revision + 1,
            [new SegmentVersion("buyers", 3, "orders >= 1 and revenue.total > 5", false, DateTimeOffset.UtcNow)]));
        await http.PostAsync("/v1/events", Events.Batch([Events.PageView("x-1", "erin"), Events.Purchase("x-2", "erin", 19.99m)]));
        await Wait.ForProfile(http, "erin", p => p.GetProperty("events_applied").GetInt64() == 2, Patience);

        // When the profile and its explanation are read
        var profile = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/erin");
        var explain = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/erin/explain");

        // Then the profile lists the membership, and explain says why
        var member = Assert.Single(profile.GetProperty("segments").EnumerateArray());
        Assert.Equal(("buyers", 3), (member.GetProperty("id").GetString(), member.GetProperty("version").GetInt32()));
        var segment = Assert.Single(explain.GetProperty("segments").EnumerateArray());
        Assert.Equal("buyers", segment.GetProperty("segment").GetString());
        Assert.True(segment.GetProperty("member").GetBoolean());
        Assert.Equal(3, segment.GetProperty("version").GetInt32());
        Assert.Equal("event:x-2", segment.GetProperty("decided_by").GetString());
        Assert.Equal(64, segment.GetProperty("change_id").GetString()!.Length);
        var clauses = segment.GetProperty("clauses").EnumerateArray().Select(c => (c.GetProperty("clause").GetString(), c.GetProperty("value").GetBoolean(), c.GetProperty("observed").GetString())).ToArray();
        Assert.Equal([("orders >= 1", true, "1"), ("revenue.total > 5", true, "19.99")], clauses);
    }

    [Fact]
    public async Task Explain_of_an_unknown_user_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync("/v1/profiles/nobody-explained/explain")).StatusCode);
    }
}
