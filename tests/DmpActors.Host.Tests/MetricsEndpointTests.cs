using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace DmpActors.Host.Tests;

/// <summary>
/// Runs alone: /metrics shows every instrument in the process (the exporter's listener sees the static DmpActors
/// meters and every other host's ASP.NET Core meter), so hosts of tests running alongside would move the numbers.
/// </summary>
[CollectionDefinition(nameof(MetricsEndpointTests), DisableParallelization = true)]
public sealed class MetricsEndpointCollection;

[Collection(nameof(MetricsEndpointTests))]
public sealed partial class MetricsEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Metrics_shows_every_listed_metric_and_the_counters_move_as_events_flow()
    {
        // Given a node that samples its shards often, and a first wave of events through HTTP and Kafka.
        // Other test hosts run in this process and the Kafka meter is process-wide, so this node's
        // consumer group has its own name and the lag is read for that group only.
        var group = $"metrics-{Guid.NewGuid():N}";
        using var factory = new DmpHostFactory(new Dictionary<string, string?>
        {
            ["Dmp:Telemetry:ShardStatsInterval"] = "00:00:00.200",
            ["Dmp:Kafka:GroupId"] = group,
        });
        var http = factory.CreateClient();
        await PostAsync(http, "m1", 10);
        await ProduceInvalidAsync(factory.BrokerAddress);
        var first = await ScrapeUntilAsync(http, "", m => Value(m, "dmp_events_applied_total") >= 10 && Value(m, "dmp_events_rejected_total", "reason=\"malformed_json\"") >= 1);

        // Then /metrics names the ingest, checkpoint, Kafka, sharding and HTTP metrics
        string[] names =
        [
            "dmp_events_consumed_total", "dmp_events_applied_total", "dmp_events_rejected_total",
            "dmp_checkpoints_total", "dmp_checkpoint_duration_milliseconds_bucket", "dmp_profiles_saved_total",
            "dmp_profiles_write_duration_milliseconds_bucket", "dmp_kafka_commit_duration_milliseconds_bucket",
            "dmp_kafka_consumer_lag", "dmp_sharding_shards", "dmp_sharding_entities", "dmp_users_active",
            "http_server_request_duration_seconds_bucket",
        ];
        await ScrapeUntilAsync(http, "", m => names.All(n => Value(m, n) is not null));

        // When a second wave of 20 events arrives
        await PostAsync(http, "m2", 20);

        // Then the counters moved by at least that much (checkpoints follow the applied events within
        // the checkpoint interval; a request's duration is recorded just after the client has the response).
        // A counter absent from the first scrape (no checkpoint yet) counts as 0 there.
        double Before(string name) => Value(first, name) ?? 0;
        var second = await ScrapeUntilAsync(http, $"first scrape: applied {Before("dmp_events_applied_total")}, checkpoints {Before("dmp_checkpoints_total")}", m =>
            Value(m, "dmp_events_applied_total") >= Before("dmp_events_applied_total") + 20
            && Value(m, "dmp_checkpoints_total") > Before("dmp_checkpoints_total")
            && Value(m, "dmp_checkpoint_duration_milliseconds_count") > Before("dmp_checkpoint_duration_milliseconds_count")
            && Value(m, "http_server_request_duration_seconds_count", "http_route=\"/v1/events\"") >= 2);
        Assert.True(Value(second, "dmp_events_consumed_total") >= Before("dmp_events_consumed_total") + 20);
        // And the gauges show the node's shard region and a consumer that caught up
        Assert.True(Value(second, "dmp_sharding_entities", "type=\"user\"") >= 1);
        var ownLag = $"group=\"{group}\"";
        Assert.Equal(0, Value(await ScrapeUntilAsync(http, "", m => Value(m, "dmp_kafka_consumer_lag", ownLag) == 0), "dmp_kafka_consumer_lag", ownLag));
    }

    private static async Task PostAsync(HttpClient http, string prefix, int count)
    {
        var response = await http.PostAsync("/v1/events", Events.Batch(Enumerable.Range(0, count).Select(i => Events.PageView($"{prefix}-{i}", $"{prefix}-user-{i % 3}"))));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task ProduceInvalidAsync(string bootstrap)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        await producer.ProduceAsync("dmp.events", new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes("{not json") });
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient http, string context, Func<string, bool> condition)
    {
        var text = "";
        try
        {
            await Wait.Until(async () => condition(text = await http.GetStringAsync("/metrics")), Patience, "/metrics to show the expected values");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Say what was there: the dmp_ and http_ samples of the last scrape.
            var seen = string.Join("\n", text.Split('\n').Where(l => l.StartsWith("dmp_", StringComparison.Ordinal) || l.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)));
            throw new Xunit.Sdk.XunitException($"{e.Message} {context}\nlast scrape:\n{seen}");
        }
        return text;
    }

    /// <summary>Sum of the samples of a metric whose labels contain <paramref name="label"/>; null when there is none.</summary>
    internal static double? Value(string metrics, string name, string label = "")
    {
        double? sum = null;
        foreach (Match m in Sample().Matches(metrics))
            if (m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(label))
                sum = (sum ?? 0) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        return sum;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
