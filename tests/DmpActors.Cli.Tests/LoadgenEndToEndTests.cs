using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using DmpActors.Cli.Loadgen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DmpActors.Cli.Tests;

/// <summary>A throwaway ingest endpoint on a free loopback port that keeps every event it is given.</summary>
internal sealed class CountingIngestEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CountingIngestEndpoint(WebApplication app) => _app = app;

    public ConcurrentBag<string> EventIds { get; } = [];
    public ConcurrentBag<int> BatchSizes { get; } = [];
    public int MalformedBodies;
    public string Url { get; private set; } = "";

    public static async Task<CountingIngestEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new CountingIngestEndpoint(app);
        app.MapPost("/v1/events", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            try
            {
                using var doc = JsonDocument.Parse(body.ToArray());
                var events = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [doc.RootElement];
                endpoint.BatchSizes.Add(events.Count);
                foreach (var e in events) endpoint.EventIds.Add(e.GetProperty("event_id").GetString()!);
                return Results.Accepted();
            }
            catch (JsonException)
            {
                Interlocked.Increment(ref endpoint.MalformedBodies);
                return Results.BadRequest();
            }
        });
        await app.StartAsync();
        endpoint.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return endpoint;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

public class LoadgenEndToEndTests
{
    [Fact]
    public async Task Loadgen_posts_every_event_to_the_http_ingest_endpoint_in_batches_of_at_most_500()
    {
        await using var ingest = await CountingIngestEndpoint.StartAsync();

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--http", ingest.Url, "--events", "5000", "--rate", "0", "--users", "300", "--run-id", "e2e");

        Assert.True(exitCode == 0, error);
        Assert.Equal(5000, ingest.EventIds.Count);
        Assert.Equal(5000, ingest.EventIds.Distinct().Count());
        Assert.All(ingest.BatchSizes, size => Assert.InRange(size, 1, HttpEventSink.MaxBatch));
        Assert.Contains("sent 5,000 events", error);
        Assert.Contains("delivered 5,000", error);
    }

    [Fact]
    public async Task Loadgen_sends_malformed_events_alone_so_the_rest_still_arrive()
    {
        await using var ingest = await CountingIngestEndpoint.StartAsync();

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--http", ingest.Url, "--events", "3000", "--rate", "0", "--invalid-share", "0.05", "--run-id", "bad");

        Assert.True(exitCode == 0, error);
        Assert.True(ingest.MalformedBodies > 0, "no malformed event reached the endpoint");
        Assert.Equal(3000, ingest.EventIds.Count + ingest.MalformedBodies);
        Assert.Contains($"rejected {ingest.MalformedBodies:N0}", error);
    }

    [Fact]
    public async Task Loadgen_holds_the_requested_rate()
    {
        await using var ingest = await CountingIngestEndpoint.StartAsync();
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--http", ingest.Url, "--events", "1500", "--rate", "1000", "--run-id", "paced");

        stopwatch.Stop();
        Assert.True(exitCode == 0, error);
        Assert.Equal(1500, ingest.EventIds.Count);
        // Event 1500 is due at 1.499 s; an unpaced run of 1,500 events takes a few milliseconds. Only the lower bound
        // is the point: a loaded CI machine may take much longer to start the process.
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 1.45, 60);
    }

    [Fact]
    public async Task Loadgen_with_a_duration_stops_on_time_and_reports_progress_every_second()
    {
        await using var ingest = await CountingIngestEndpoint.StartAsync();
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--http", ingest.Url, "--duration", "2500ms", "--rate", "400", "--run-id", "timed");

        stopwatch.Stop();
        Assert.True(exitCode == 0, error);
        // The run ends by the clock, not by a count: it lasts at least the duration, and the rate caps what it sends
        // (400/s x 2.5 s = 1,000). A loaded machine may send fewer, never more, and everything sent arrives.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(2.5), $"stopped after {stopwatch.Elapsed}");
        Assert.InRange(ingest.EventIds.Count, 1, 1010);
        Assert.Contains($"sent {ingest.EventIds.Count:N0} events", error);
        var progressLines = error.Split('\n').Count(l => l.TrimStart().StartsWith('[') && l.Contains("rate"));
        Assert.InRange(progressLines, 1, 3);
    }

    [Fact]
    public async Task Loadgen_fails_with_one_clear_line_when_the_http_endpoint_is_unreachable()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("loadgen", "--http", "http://127.0.0.1:1", "--events", "10");

        Assert.Equal(LoadgenCommand.ExitUnreachable, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dmpctl loadgen: cannot reach http://127.0.0.1:1/v1/events", line);
    }

    [Fact]
    public async Task Loadgen_fails_with_one_clear_line_when_kafka_is_unreachable()
    {
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--bootstrap", "127.0.0.1:1", "--events", "10", "--connect-timeout", "2s");

        Assert.Equal(LoadgenCommand.ExitUnreachable, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dmpctl loadgen: cannot reach Kafka at 127.0.0.1:1", line);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Loadgen_produces_keyed_events_to_a_kafka_topic()
    {
        // librdkafka's in-process mock cluster: a real Kafka protocol listener on a loopback port.
        var mockConfig = new ProducerConfig { BootstrapServers = "unused:9092" };
        mockConfig.Set("test.mock.num.brokers", "1");
        using var mockOwner = new ProducerBuilder<Null, Null>(mockConfig).Build();
        using var admin = new DependentAdminClientBuilder(mockOwner.Handle).Build();
        var broker = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
        var bootstrap = $"{broker.Host}:{broker.Port}";

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "loadgen", "--bootstrap", bootstrap, "--topic", "dmp.events", "--events", "2000", "--rate", "0", "--users", "50", "--run-id", "k");

        Assert.True(exitCode == 0, error);
        Assert.Contains("delivered 2,000", error);

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "loadgen-e2e",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("dmp.events");
        var received = new List<ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received.Count < 2000 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result) received.Add(result);
        }
        consumer.Close();

        Assert.Equal(2000, received.Count);
        foreach (var message in received.Take(200))
        {
            using var doc = JsonDocument.Parse(message.Message.Value);
            var root = doc.RootElement;
            var expectedKey = root.TryGetProperty("user_id", out var userId) ? userId.GetString() : root.GetProperty("anonymous_id").GetString();
            Assert.Equal(expectedKey, message.Message.Key);
        }
    }
}
