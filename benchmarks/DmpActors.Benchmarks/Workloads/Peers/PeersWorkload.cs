using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Benchmarks.Infra;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>What one runner did, measured the same way for each.</summary>
public sealed record PeerResult(
    string Name, string How, TimeSpan StartUp, TimeSpan Elapsed, TimeSpan Cpu, long HeapBytes, long Checkpoints,
    int LatencySamples, double ProducedP50, double ProducedP99, double ConsumedP99,
    long StoredRows, long StoredProfiles, long StoredEventsApplied, int Mismatched, long AliasRows, long AliasEvents)
{
    public string? Notes { get; init; }

    /// <summary>One row per profile with exactly its events; besides them only rows of ids an alias named, holding no events
    /// (the engine records the ids it merged; the dataset's aliases name fresh device ids that have no events).</summary>
    public bool Correct(long profiles, long events) =>
        StoredProfiles == profiles && StoredRows == profiles + AliasRows && AliasEvents == 0 && StoredEventsApplied == events && Mismatched == 0;
}

/// <summary>
/// The same dataset, produced once to one topic of the embedded broker, consumed into durable per-user profiles by
/// the limit (a hand-written loop), DmpActors, Orleans and Proto.Actor in turn, each in its own consumer group from
/// the start, each with the engine's parser, reducer, codec and SQLite store.
/// </summary>
public static class PeersWorkload
{
    private const string Topic = "dmp.events";
    private const double EngineTraceRatio = 1.0 / 16;

    public static async Task<int> RunAsync(Args args, string command)
    {
        var events = args.Int("events", 300_000);
        var users = args.Int("users", 30_000);
        var partitions = args.Int("partitions", 6);
        var only = args.String("runners")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        args.EnsureAllKnown();

        Console.WriteLine($"peers: {events:N0} events over {users:N0} users, {partitions} partitions");
        // No logins: none of the peers stitches identities, so every runner folds exactly the events keyed to each id.
        var data = Dataset.Generate(events, users, keepParsed: false, identifyProbability: 0);
        long expectedProfiles = data.ExpectedApplied.Count, expectedEvents = data.ExpectedApplied.Values.Sum(v => (long)v);
        Console.WriteLine($"generated in {data.GenerationTime.TotalSeconds:0.0} s: {expectedProfiles:N0} profiles, {expectedEvents:N0} valid events, mean value {data.MeanValueBytes:0} B");

        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic(Topic, partitions).WithTopic(Topic + ".dlq", partitions));
        var (produced, produceTime, end) = ProduceOnce(broker.BootstrapServers, data, partitions);
        Console.WriteLine($"produced once in {produceTime.TotalSeconds:0.00} s (zstd), every record still on the broker");

        var defaults = new DmpOptions().Ingest;
        var dataDir = Path.Combine(Path.GetTempPath(), "dmp-peers-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        PeerRunner[] runners = [new LimitRunner(), new EngineRunner(EngineTraceRatio), new OrleansRunner(), new ProtoActorRunner()];
        var results = new List<PeerResult>();
        var failures = new List<string>();
        foreach (var runner in runners.Where(r => only is null || only.Contains(r.Name)))
        {
            var context = new PeerContext(broker.BootstrapServers, Topic, partitions, end, events, dataDir,
                defaults.CheckpointInterval, defaults.MaxEventsPerCheckpoint, defaults.MaxInFlight)
            {
                Latency = new ApplyLatency(produced, events),
            };
            try
            {
                var result = await MeasureAsync(runner, context, data);
                results.Add(result);
                var ok = result.Correct(expectedProfiles, expectedEvents);
                if (!ok) failures.Add($"{result.Name}: {result.StoredRows:N0} rows, {result.StoredProfiles:N0} profiles, events_applied {result.StoredEventsApplied:N0}, {result.Mismatched} profiles off");
                Console.WriteLine($"{result.Name}: {events / result.Elapsed.TotalSeconds:N0} ev/s, p99 produced→applied {result.ProducedP99:0} ms, " +
                                  $"CPU {result.Cpu.TotalMicroseconds / events:0.0} µs/event, heap {result.HeapBytes / Math.Max(1, expectedProfiles):N0} B/user; " +
                                  (ok ? "correct" : "WRONG: " + failures[^1]));
            }
            catch (Exception e)
            {
                failures.Add($"{runner.Name}: {e.GetType().Name}: {e.Message}");
                Console.Error.WriteLine($"{runner.Name} failed: {e}");
            }
        }

        var md = PeersReport.Markdown(command, data, partitions, produceTime, results, failures, expectedProfiles, expectedEvents);
        Console.WriteLine(md);
        Report.Write("peers", md, command, PeersReport.Json(data, partitions, results, failures, expectedProfiles, expectedEvents));
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        return failures.Count == 0 ? 0 : 2;
    }

    /// <summary>
    /// The whole dataset once, zstd-compressed: the embedded broker keeps only 5 MiB of record batches per partition
    /// (as stored, so compressed) and drops the oldest beyond that, and every runner must find every record.
    /// Returns each record's timestamp by partition and offset, as a consumer reads it.
    /// </summary>
    private static (long[][] Produced, TimeSpan Time, Dictionary<int, long> End) ProduceOnce(string bootstrap, Dataset data, int partitions)
    {
        var time = TopicFeed.Produce(bootstrap, Topic, data, consumed: null, maxLead: 0, CompressionType.Zstd);
        var marks = TopicFeed.Watermarks(bootstrap, Topic, partitions);
        if (marks.Values.Any(m => m.Low.Value != 0) || marks.Values.Sum(m => m.High.Value) != data.Count)
            throw new InvalidOperationException($"the broker no longer holds every record ([{string.Join(", ", marks.Select(m => $"{m.Key}: {m.Value.Low}..{m.Value.High}"))}] for {data.Count:N0}): use more --partitions");
        var stamps = Enumerable.Range(0, partitions).Select(p => new long[marks[p].High.Value]).ToArray();
        using var scan = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "peers-scan", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        scan.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
        for (var read = 0; read < data.Count;)
        {
            var r = scan.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"scanning the topic stopped after {read:N0} records");
            stamps[r.Partition.Value][r.Offset.Value] = r.Message.Timestamp.UnixTimestampMs;
            read++;
        }
        if (stamps.Any(p => p.Any(ms => ms <= 0))) throw new InvalidOperationException("records without a create time on the topic");
        return (stamps, time, marks.ToDictionary(m => m.Key, m => m.Value.High.Value));
    }

    private static async Task<PeerResult> MeasureAsync(PeerRunner runner, PeerContext context, Dataset data)
    {
        Console.WriteLine($"==== {runner.Name} ====");
        await using (runner)
        {
            var heapBefore = CompactedHeap();
            var cpuBefore = ProcessCpu();
            var sw = Stopwatch.StartNew();
            await runner.StartAsync(context);
            var startUp = sw.Elapsed;
            await runner.RunAsync(context);
            var elapsed = sw.Elapsed;
            var cpu = ProcessCpu() - cpuBefore;
            var heap = CompactedHeap() - heapBefore;
            var latency = context.Latency;
            var (rows, profiles, applied, mismatched, aliasRows, aliasEvents) = await VerifyAsync(runner.Store, data);
            return new PeerResult(runner.Name, runner.How, startUp, elapsed, cpu, heap, runner.Checkpoints,
                latency.Count, latency.ProducedPercentile(0.5), latency.ProducedPercentile(0.99), latency.ConsumedPercentile(0.99),
                rows, profiles, applied, mismatched, aliasRows, aliasEvents) { Notes = runner.Notes };
        }
    }

    /// <summary>Every stored profile against the dataset: one row per id, each with exactly its events applied.</summary>
    private static async Task<(long Rows, long Profiles, long EventsApplied, int Mismatched, long AliasRows, long AliasEvents)> VerifyAsync(
        IProfileStore store, Dataset data)
    {
        var rows = await store.CountAsync();
        var stored = await store.LoadAsync(data.ExpectedApplied.Keys.ToList());
        long applied = 0;
        var mismatched = 0;
        foreach (var (id, row) in stored)
        {
            var profile = ProfileCodec.Decode(row.State);
            applied += profile.EventsApplied;
            if (profile.EventsApplied != data.ExpectedApplied[id]) mismatched++;
        }
        var aliased = await store.LoadAsync(data.IdentityLinked.Where(id => !data.ExpectedApplied.ContainsKey(id)).ToList());
        var aliasEvents = aliased.Values.Sum(row => (long)ProfileCodec.Decode(row.State).EventsApplied);
        return (rows, stored.Count, applied, mismatched, aliased.Count, aliasEvents);
    }

    private static long CompactedHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static TimeSpan ProcessCpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }
}
