using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Security;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

public sealed class RateLimitTests
{
    private static HttpClient With(DmpHostFactory node, string key)
    {
        var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    [Fact]
    public async Task A_key_over_its_request_rate_gets_429_with_retry_after_while_another_key_is_served()
    {
        // Given two ingest keys, one limited to 2 requests a second
        var settings = KeyedNode.Keys(("slow-client", "slow-client-key-1", ["ingest"]), ("other-client", "other-client-key-2", ["ingest"]));
        settings["Dmp:Security:Keys:0:RequestsPerSecond"] = "2";
        using var node = new DmpHostFactory(settings);
        var slow = With(node, "slow-client-key-1");
        var other = With(node, "other-client-key-2");

        // When the slow key sends ten requests at once (events the collector rejects, so nothing waits on Kafka)
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => slow.PostAsync("/v1/events", Events.Json("{}"))));

        // Then most are refused with 429 and a Retry-After, and the other key is not affected
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(limited.Count, 6, 8);
        Assert.All(limited, r => Assert.InRange(r.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 1));
        Assert.Equal("Rate limited", (await limited[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostAsync("/v1/events", Events.Json("{}"))).StatusCode);
        await Wait.Until(async () => (await node.CreateClient().GetStringAsync("/metrics")).Split('\n')
            .Any(l => l.StartsWith("dmp_collector_requests_limited_total{", StringComparison.Ordinal) && l.Contains("key=\"slow-client\"")),
            TimeSpan.FromSeconds(10), "the refusals to be counted by key");
    }

    [Fact]
    public async Task A_hot_user_sending_half_the_traffic_is_limited_alone_and_everyone_else_gets_through()
    {
        // Given a node allowing each user id 20 events at once, then 1 a second
        // (on a clock that stands still, so no token comes back however slow this machine is between requests)
        using var node = new DmpHostFactory(new Dictionary<string, string?>
        {
            ["Dmp:Security:RateLimits:UserEventsPerSecond"] = "1", ["Dmp:Security:RateLimits:UserEventsBurst"] = "20",
        }, services => services.AddSingleton(sp => new UserEventLimiter(sp.GetRequiredService<DmpOptions>().Security.RateLimits, new ManualClock())));
        var http = node.CreateClient();

        // When one user sends every other event of a batch of 200
        var batch = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? Events.PageView($"hot-{i}", "hot-user") : Events.PageView($"cold-{i}", $"cold-{i % 7}")).ToList();
        var response = await http.PostAsync("/v1/events", Events.Batch(batch));

        // Then only the hot user's events beyond its burst are rejected, each as rate_limited
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var rejected = body.GetProperty("rejected").EnumerateArray().ToList();
        Assert.All(rejected, r => Assert.Equal("rate_limited", r.GetProperty("reason").GetString()));
        Assert.All(rejected, r => Assert.True(r.GetProperty("index").GetInt32() % 2 == 0, "only the hot user's events are limited"));
        Assert.InRange(body.GetProperty("accepted").GetInt32(), 100 + 20, 100 + 21);

        // And a request that is all the hot user's gets 429, while another user's next request is served in full
        var hotOnly = await http.PostAsync("/v1/events", Events.Batch(Enumerable.Range(0, 50).Select(i => Events.PageView($"hot-more-{i}", "hot-user"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, hotOnly.StatusCode);
        Assert.NotNull(hotOnly.Headers.RetryAfter);
        var cold = await http.PostAsync("/v1/events", Events.Batch(Enumerable.Range(0, 20).Select(i => Events.PageView($"cold-more-{i}", "another-user"))));
        Assert.Equal(0, (await cold.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").GetArrayLength());
        await Wait.ForProfile(http, "hot-user", p => p.GetProperty("events_applied").GetInt64() >= 20, TimeSpan.FromSeconds(30));
        Assert.Contains("dmp_collector_events_limited_total", await http.GetStringAsync("/metrics"));
    }
}

public sealed class UserEventLimiterTests
{
    [Fact]
    public void A_user_may_spend_the_burst_at_once_then_gets_tokens_back_at_the_rate_while_other_users_keep_their_own()
    {
        var clock = new ManualClock();
        var limiter = new UserEventLimiter(new RateLimitOptions { UserEventsPerSecond = 2, UserEventsBurst = 3 }, clock);

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => limiter.TryTake("hot")).ToArray());
        Assert.True(limiter.TryTake("cold"));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal([true, false], new[] { limiter.TryTake("hot"), limiter.TryTake("hot") });
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, Enumerable.Range(0, 5).Count(_ => limiter.TryTake("hot")));
    }

    [Fact]
    public void A_rate_of_zero_turns_the_limit_off()
    {
        var limiter = new UserEventLimiter(new RateLimitOptions { UserEventsPerSecond = 0, UserEventsBurst = 1 }, new ManualClock());

        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(limiter.TryTake("anyone")));
    }
}

/// <summary>A clock that moves only when a test says so.</summary>
internal sealed class ManualClock : TimeProvider
{
    public long Now { get; set; } = 1_000_000;
    public override long GetTimestamp() => Now;
    public void Advance(TimeSpan by) => Now += (long)(by.TotalSeconds * TimestampFrequency);
}
