using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Observability;

[Collection(nameof(ProcessWideTelemetry))]
public sealed class EngineMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_running_engine_measures_consumed_applied_rejected_checkpoints_writes_commits_lag_and_shards()
    {
        // Given a listener on every instrument of ours and an engine that samples its shard region often
        await using var harness = new EngineHarness(partitions: 4);
        using var metrics = new MeasurementRecorder();
        // (its own group: engines of other tests, even crashed ones, report lag and shards in this process too)
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Telemetry.ShardStatsInterval = TimeSpan.FromMilliseconds(200);
            o.Kafka.GroupId = "metrics-test";
        }));

        // When 5 users send 4 events each, and two invalid records arrive
        for (var u = 0; u < 5; u++)
            for (var e = 0; e < 4; e++)
                harness.Produce($"m-user-{u}", TestEvents.PageView($"m-{u}-{e}", $"m-user-{u}"));
        foreach (var (_, bytes) in TestEvents.Invalid(DateTimeOffset.UtcNow).Where(i => i.Reason is "malformed_json" or "unknown_type"))
            harness.Produce("m-bad", bytes);
        harness.Flush();

        // Then the counters and histograms moved by what happened (the store writes and the commit
        // follow the applied events within a checkpoint interval)
        await Eventually.True(() =>
                metrics.Sum("dmp.events.applied") >= 20 && metrics.Sum("dmp.profiles.saved") >= 5
                && metrics.Count("dmp.checkpoint.duration") >= 1 && metrics.Count("dmp.profiles.write.duration") >= 1
                && metrics.Count("dmp.kafka.commit.duration") >= 1 && metrics.Sum("dmp.events.rejected") >= 2,
            Patience, "20 applied events, 5 saved profiles, a checkpoint, a store write, a commit and 2 rejects");
        Assert.True(metrics.Sum("dmp.events.consumed") >= 22);
        Assert.Equal(1, metrics.Sum("dmp.events.rejected", ("reason", "malformed_json")));
        Assert.Equal(1, metrics.Sum("dmp.events.rejected", ("reason", "unknown_type")));

        // And the gauges report the shard region and, per partition, a consumer that has caught up
        await Eventually.True(() =>
        {
            metrics.Observe();
            return metrics.Last("dmp.sharding.entities", ("type", "user"), ("node", engine.NodeAddress)) >= 5
                && Enumerable.Range(0, 4).All(p => metrics.Last("dmp.kafka.consumer.lag", ("group", "metrics-test"), ("partition", p)) == 0);
        }, Patience, "sharding gauges with the 5 users and zero lag on all 4 partitions");
        Assert.InRange(metrics.Last("dmp.sharding.shards", ("type", "user"), ("node", engine.NodeAddress))!.Value, 1, 5);
    }

    /// <summary>Every measurement of our meters, with its tags.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _seen = new();

        public MeasurementRecorder()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (DmpMetrics.MeterNames.Contains(instrument.Meter.Name)) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _seen.Enqueue((i.Name, v, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _seen.Enqueue((i.Name, v, tags.ToArray())));
            _listener.Start();
        }

        public void Observe() => _listener.RecordObservableInstruments();

        public double Sum(string name, params (string Key, object Value)[] tags) => Matching(name, tags).Sum(m => m.Value);

        public int Count(string name) => Matching(name, []).Count();

        public double? Last(string name, params (string Key, object Value)[] tags) =>
            Matching(name, tags).Select(m => (double?)m.Value).LastOrDefault();

        private IEnumerable<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string name, (string Key, object Value)[] tags) =>
            _seen.Where(m => m.Name == name && tags.All(t => m.Tags.Any(mt => mt.Key == t.Key && Equals(mt.Value, t.Value))));

        public void Dispose() => _listener.Dispose();
    }
}
