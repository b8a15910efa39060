using System.Collections.Concurrent;
using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Benchmarks.Infra;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Embedded;
using DmpActors.Kafka.Settings;
using DmpActors.Traffic.Measurement;
using DmpActors.Traffic.Ysb;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// The Yahoo Streaming Benchmark on our stack: JSON ad events produced at a fixed rate to the embedded
/// broker, consumed with our Akka.Streams Kafka source, filtered to views, joined ad → campaign,
/// counted per campaign in 10-second event-time windows by sharded campaign entities, and published
/// every second to an in-process board (YSB's Redis). Latency = last update of a window − window end.
/// </summary>
public static class YsbWorkload
{
    private const int Partitions = 6;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Published reference (Chintapalli et al., 2016; 10-node clusters), p99 window latency.</summary>
    private const string Reference = "Flink and Storm: p99 ≈ 1.2–1.5 s up to 170K ev/s (≈1 s of it their 1-second flush); Spark Streaming: several seconds";

    public sealed record LoadResult(int OfferedPerSecond, double AchievedPerSecond, long Produced, long ProduceErrors, long Views, long ViewsCounted,
        double DrainSeconds, int Windows, LatencySummary? LatencyMs, bool Sustained, string Verdict);

    public static async Task<int> RunAsync(Args args, string command)
    {
        var quick = args.Flag("quick");
        var loads = args.Ints("loads", quick ? [10_000, 50_000, 100_000] : [10_000, 50_000, 100_000, 150_000, 170_000]);
        var seconds = args.Int("seconds", quick ? 25 : 60);
        args.EnsureAllKnown();
        if (seconds < 20) throw new ArgumentException("--seconds must be at least 20 so that a whole 10-second window lies inside every run");

        Console.WriteLine($"ysb: loads {string.Join(", ", loads.Select(l => Report.Rate(l)))} ev/s, {seconds} s each, {Partitions} partitions");
        var campaigns = new YsbCampaigns(seed: 1);
        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" });
        var results = new List<LoadResult>();
        foreach (var load in loads)
        {
            var result = await RunLoadAsync(broker, campaigns, load, TimeSpan.FromSeconds(seconds));
            Console.WriteLine($"  {Report.Rate(load)} ev/s: {result.Verdict}; p50/p90/p99 {Ms(result.LatencyMs?.P50)}/{Ms(result.LatencyMs?.P90)}/{Ms(result.LatencyMs?.P99)}");
            results.Add(result);
        }

        var best = results.Where(r => r.Sustained).Select(r => r.OfferedPerSecond).DefaultIfEmpty(0).Max();
        var rows = string.Join(Environment.NewLine, results.Select(r =>
            $"| {r.OfferedPerSecond:N0} | {r.AchievedPerSecond:N0} | {r.Views:N0} / {r.ViewsCounted:N0} | {r.DrainSeconds:0.0} s | {r.Windows} | " +
            $"{Ms(r.LatencyMs?.P50)} | {Ms(r.LatencyMs?.P90)} | {Ms(r.LatencyMs?.P99)} | {Ms(r.LatencyMs?.Max)} | {(r.Sustained ? "yes" : "**no**")}: {r.Verdict} |"));
        var md = Report.Header($"ysb: Yahoo Streaming Benchmark, {seconds} s per load, {Partitions} partitions, 1 node", command) + $"""
            - pipeline: producer thread (Confluent, fixed schedule, event_time = the intended send time) → embedded broker topic ({Partitions} partitions, fresh per load) → `KafkaConsumer.CommittablePartitionedSource` (the engine's ingest source; partition sub-streams merged, nothing committed) → parse JSON (`YsbEventReader`) → keep views → join ad → campaign (100 campaigns × 10 ads, in-memory table as YSB's Redis) → 10 ms micro-batches pre-aggregated per (campaign, window) → sharded `campaign` entities (100 shards) count per 10-second event-time window → every entity publishes its changed windows every {FlushInterval.TotalSeconds:0} s to an in-process board with the publish time (YSB's Redis `time_updated`).
            - latency of a window = its last publish time − window end (YSB's definition; includes up to 1 s of flush interval). Only windows wholly inside the producing period count (100 per 10 s of run).
            - sustained = the producer held ≥ 97 % of the offered rate, every view produced was counted (the embedded broker drops the oldest records beyond 5 MiB per partition, so a consumer far behind loses views), and the backlog after the producer stopped drained in ≤ 2 s.
            - producer, broker, consumer and actors share the same {Environment.ProcessorCount} cores; the published reference ran on 10-node clusters with separate load-generator machines.

            | offered ev/s | produced ev/s | views produced / counted | drain | windows | p50 | p90 | p99 | max | sustained |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
            {rows}

            Highest load sustained here: **{(best == 0 ? "none" : $"{best:N0} ev/s")}**. Reference: {Reference}.
            """;
        Console.WriteLine(md);
        Report.Write("ysb", md, command, new { seconds, partitions = Partitions, reference = Reference, highest_sustained = best, loads = results });
        return 0;
    }

    private static string Ms(double? ms) => ms is { } v ? $"{v / 1000:0.00} s" : "-";

    private static async Task<LoadResult> RunLoadAsync(EmbeddedKafkaBroker broker, YsbCampaigns campaigns, int rate, TimeSpan duration)
    {
        var topic = $"ysb.{rate}";
        broker.CreateTopic(topic, Partitions);
        var board = new WindowBoard();
        var system = await SingleNodeCluster.StartAsync("ysb");
        try
        {
            var region = await ClusterSharding.Get(system).StartAsync("campaign", _ => Props.Create(() => new CampaignWindows(board, FlushInterval)),
                ClusterShardingSettings.Create(system), new CampaignWindows.Extractor(100));
            long counted = 0;
            // The engine's ingest source: one sub-stream per partition, merged; nothing is committed (each load reads a fresh topic).
            var (control, completion) = KafkaConsumer.CommittablePartitionedSource(new ConsumerSettings(broker.BootstrapServers, $"ysb-{rate}"), topic)
                .Via(Flow.Create<(TopicPartition Partition, Source<DmpActors.Kafka.Messages.CommittableMessage, NotUsed> Messages)>().MergeMany(Partitions, p => p.Messages))
                .Select(m => YsbEventReader.TryReadView(m.Record.Message.Value, out var view) ? view : default)
                .Where(view => view.AdId is not null)
                .GroupedWithin(5_000, TimeSpan.FromMilliseconds(10))
                .Select(views => CampaignWindows.Aggregate(views, campaigns))
                .ToMaterialized(Sink.ForEach<IReadOnlyList<CampaignWindows.CountViews>>(batch =>
                {
                    foreach (var counts in batch)
                    {
                        region.Tell(counts);
                        Interlocked.Add(ref counted, counts.Total);
                    }
                }), Keep.Both)
                .Run(system.Materializer());

            var produced = await Task.Factory.StartNew(() => Produce(broker.BootstrapServers, topic, campaigns, rate, duration),
                TaskCreationOptions.LongRunning);
            var drain = Stopwatch.StartNew();
            var last = Interlocked.Read(ref counted);
            var lastChange = Stopwatch.StartNew();
            while (Interlocked.Read(ref counted) < produced.Views && lastChange.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
                var now = Interlocked.Read(ref counted);
                if (now != last) (last, lastChange) = (now, Stopwatch.StartNew());
            }
            var drainSeconds = drain.Elapsed.TotalSeconds;
            // Let every entity publish once more after its last count.
            await Task.Delay(FlushInterval + TimeSpan.FromMilliseconds(500));
            await control.DrainAndShutdown(completion);

            var latencies = YsbWindows.Latencies(board.Snapshot(), produced.StartMs, produced.EndMs);
            var summary = latencies.Count > 0 ? LatencySummary.Of(latencies.Select(l => (double)l)) : null;
            var viewsCounted = Interlocked.Read(ref counted);
            var achieved = produced.Count / produced.Elapsed.TotalSeconds;
            var reasons = new List<string>();
            if (achieved < 0.97 * rate) reasons.Add($"producer reached only {achieved / rate:P0} of the offered rate");
            if (produced.Errors > 0) reasons.Add($"{produced.Errors:N0} produce errors");
            if (viewsCounted != produced.Views) reasons.Add($"{produced.Views - viewsCounted:N0} views not counted");
            if (drainSeconds > 2) reasons.Add($"backlog took {drainSeconds:0.0} s to drain");
            return new LoadResult(rate, achieved, produced.Count, produced.Errors, produced.Views, viewsCounted, drainSeconds, latencies.Count, summary,
                reasons.Count == 0, reasons.Count == 0 ? "kept up" : string.Join("; ", reasons));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed record Produced(long Count, long Views, long Errors, long StartMs, long EndMs, TimeSpan Elapsed);

    /// <summary>Event i is due at start + i / rate and carries that instant as event_time, however late it is sent.</summary>
    private static Produced Produce(string bootstrap, string topic, YsbCampaigns campaigns, int rate, TimeSpan duration)
    {
        using var producer = FixedRateSender.Producer(bootstrap, lingerMs: 5);
        var writer = new YsbEventWriter(campaigns, seed: rate);
        long errors = 0, views = 0;
        void OnDelivery(DeliveryReport<byte[]?, byte[]> r) { if (r.Error.IsError) Interlocked.Increment(ref errors); }
        var schedule = FixedSchedule.For(rate, duration);
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var elapsed = FixedRateSender.Run(schedule, Stopwatch.StartNew(), i =>
        {
            var (json, isView, _) = writer.Next(startMs + (long)schedule.IntendedOffset(i).TotalMilliseconds);
            if (isView) views++;
            producer.Produce(topic, new Message<byte[]?, byte[]> { Value = json }, OnDelivery);
        });
        producer.Flush(TimeSpan.FromSeconds(30));
        return new Produced(schedule.Total, views, Interlocked.Read(ref errors), startMs, startMs + (long)duration.TotalMilliseconds, elapsed);
    }
}

/// <summary>YSB's Redis: the latest published count and update time of every (campaign, window).</summary>
public sealed class WindowBoard
{
    private readonly ConcurrentDictionary<(string Campaign, long WindowStart), WindowUpdate> _windows = new();

    public void Publish(WindowUpdate update) => _windows[(update.CampaignId, update.WindowStartMs)] = update;

    public IReadOnlyList<WindowUpdate> Snapshot() => _windows.Values.ToList();
}

/// <summary>A campaign's view counts per 10-second window; publishes the windows that changed once per flush interval.</summary>
public sealed class CampaignWindows : ReceiveActor, IWithTimers
{
    public sealed record CountViews(string CampaignId, (long WindowStart, int Views)[] Counts)
    {
        public long Total => Counts.Sum(c => (long)c.Views);
    }

    private sealed record Flush;

    private readonly Dictionary<long, long> _counts = [];
    private readonly HashSet<long> _changed = [];
    private readonly TimeSpan _flushInterval;
    private string _campaign = "";

    public CampaignWindows(WindowBoard board, TimeSpan flushInterval)
    {
        _flushInterval = flushInterval;
        Receive<CountViews>(m =>
        {
            _campaign = m.CampaignId;
            foreach (var (window, views) in m.Counts)
            {
                _counts[window] = _counts.GetValueOrDefault(window) + views;
                _changed.Add(window);
            }
        });
        Receive<Flush>(_ =>
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var window in _changed) board.Publish(new WindowUpdate(_campaign, window, _counts[window], now));
            _changed.Clear();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("flush", new Flush(), _flushInterval);

    /// <summary>Pre-aggregates one micro-batch of views: one message per campaign with its per-window counts; unknown ads are dropped.</summary>
    public static IReadOnlyList<CountViews> Aggregate(IEnumerable<YsbView> views, YsbCampaigns campaigns) =>
        views
            .Select(v => (Campaign: campaigns.CampaignOf(v.AdId), Window: YsbWindows.WindowStart(v.EventTimeMs)))
            .Where(x => x.Campaign is not null)
            .GroupBy(x => x.Campaign!)
            .Select(g => new CountViews(g.Key, g.GroupBy(x => x.Window).Select(w => (w.Key, w.Count())).ToArray()))
            .ToList();

    public sealed class Extractor(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string EntityId(object message) => message is CountViews c ? c.CampaignId : null!;
    }
}
