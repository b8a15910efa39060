using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

public sealed class HttpApiTests : IClassFixture<HttpApiTests.Host>
{
    public sealed class Host : IDisposable
    {
        public readonly DmpHostFactory Factory = new();
        public HttpClient Http => Factory.CreateClient();
        public DmpRuntime Runtime => Factory.Services.GetRequiredService<DmpRuntime>();
        public void Dispose() => Factory.Dispose();
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Host _host;

    public HttpApiTests(Host host) => _host = host;

    [Fact]
    public async Task Posted_events_are_accepted_and_appear_in_the_profile_while_bad_ones_are_rejected_by_index()
    {
        var http = _host.Http;
        var response = await http.PostAsync("/v1/events", Events.Batch(
        [
            Events.PageView("h-1", "alice"),
            """{"event_id":"h-2","type":"teleport","user_id":"alice","timestamp":"2026-11-01T09:00:00Z"}""",
            Events.Purchase("h-3", "alice", 19.99m),
            Events.PageView("h-4", "alice"),
        ]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(body.GetProperty("rejected").EnumerateArray());
        Assert.Equal(1, rejected.GetProperty("index").GetInt32());
        Assert.Equal("unknown_type", rejected.GetProperty("reason").GetString());

        await Wait.ForProfile(http, "alice", p => p.GetProperty("events_applied").GetInt64() == 3, Patience);
        var profile = await http.GetFromJsonAsync<JsonElement>("/v1/profiles/alice");
        Assert.Equal(2, profile.GetProperty("event_counts").GetProperty("page_view").GetInt64());
        Assert.Equal(19.99m, profile.GetProperty("total_revenue").GetDecimal());
        Assert.Equal(1, profile.GetProperty("orders").GetInt32());
    }

    [Fact]
    public async Task A_single_event_object_is_accepted_too()
    {
        var response = await _host.Http.PostAsync("/v1/events", Events.Json(Events.PageView("single-1", "bob")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Wait.ForProfile(_host.Http, "bob", p => p.GetProperty("events_applied").GetInt64() == 1, Patience);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        var response = await _host.Http.PostAsync("/v1/events", Events.Json("{not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bodies_over_one_mebibyte_or_a_thousand_events_are_413_problems()
    {
        var huge = Events.Json("[" + string.Join(",", Enumerable.Repeat("\"" + new string('x', 1000) + "\"", 1100)) + "]");
        var tooMany = Events.Batch(Enumerable.Range(0, 1001).Select(i => Events.PageView($"many-{i}", "carol")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _host.Http.PostAsync("/v1/events", huge)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await _host.Http.PostAsync("/v1/events", tooMany)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_user_is_404_and_an_invalid_id_is_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync("/v1/profiles/nobody-at-all")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Http.GetAsync("/v1/profiles/" + new string('a', 257))).StatusCode);
    }

    [Fact]
    public async Task Operations_endpoints_report_health_readiness_info_openapi_and_metrics()
    {
        var http = _host.Http;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        // Ready once ingest runs, which the host starts without waiting for it.
        await Wait.Until(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode, Patience, "/readyz to answer 200");
        var info = await http.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.Equal("embedded", info.GetProperty("mode").GetString());
        Assert.Equal(_host.Factory.BrokerAddress, info.GetProperty("kafka_bootstrap").GetString());
        var openApi = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/events", out _));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/profiles/{userId}", out _));

        await http.PostAsync("/v1/events", Events.Json(Events.PageView("metric-1", "dave")));
        await Wait.Until(async () => (await http.GetStringAsync("/metrics")).Contains("dmp_events_applied"), Patience, "dmp_events_applied in /metrics");
    }

    [Fact]
    public async Task Events_produced_by_kcat_an_independent_kafka_client_reach_the_profile()
    {
        var kcat = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat" }.FirstOrDefault(File.Exists);
        Assert.True(kcat is not null, "kcat is not installed: ./test.sh installs it (apt-get install kcat)");
        var lines = string.Join("\n", Enumerable.Range(0, 5).Select(i => "erin|" + Events.PageView($"kcat-{i}", "erin")));
        var info = new ProcessStartInfo(kcat!, ["-b", _host.Runtime.BootstrapServers, "-P", "-t", "dmp.events", "-K", "|"])
        {
            RedirectStandardInput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(lines + "\n");
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());

        await Wait.ForProfile(_host.Http, "erin", p => p.GetProperty("events_applied").GetInt64() == 5, Patience);
    }
}
