using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Benchmarks.Infra;
using DmpActors.Engine.Hosting;
using DmpActors.Kafka.Embedded;
using DmpActors.Kafka.Settings;
using Npgsql;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Kafka (embedded broker) → DmpActors ingest → durable profile store → committed offsets, against a
/// bare Confluent consumer loop over the same records in the same run.
/// </summary>
public static class E2eWorkload
{
    private const string Topic = "dmp.events";
    private const string Dlq = "dmp.events.dlq";

    public static async Task<int> RunAsync(Args args, string command)
    {
        var events = args.Int("events", 1_000_000);
        var users = args.Int("users", 100_000);
        var partitions = args.Int("partitions", 6);
        var pg = args.String("pg");
        var checkpointMs = args.Int("checkpoint-ms", 0);
        var maxInFlight = args.Int("max-in-flight", 0);
        var trace = args.String("trace"); // a sample ratio 0..1: attach a trace listener (spans created, none exported)
        var allocation = args.String("allocation"); // Dmp:Sharding:Allocation: partition (default) or default
        args.EnsureAllKnown();
        var storeName = pg is null ? "SQLite" : "PostgreSQL";

        Console.WriteLine($"ingest: {events:N0} events over {users:N0} users, {partitions} partitions, store {storeName}");
        var data = Dataset.Generate(events, users, keepParsed: false);
        Console.WriteLine($"generated in {data.GenerationTime.TotalSeconds:0.0} s: mean value {data.MeanValueBytes:0} B, {data.ExpectedApplied.Count:N0} entities, invalid {data.Invalid}; mix: {data.MixSummary()}");

        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic(Topic, partitions).WithTopic(Dlq, partitions));

        // ---- produce rate (into a scratch topic: see LeadPerPartition for why the runs cannot pre-produce) ----
        broker.CreateTopic("bench.produce", partitions);
        var produce = TopicFeed.Produce(broker.BootstrapServers, "bench.produce", data, consumed: null, maxLead: 0);
        Console.WriteLine($"produced {events:N0} in {produce.TotalSeconds:0.00} s = {events / produce.TotalSeconds:N0} ev/s");
        var maxLead = (long)partitions * LeadPerPartition;

        // ---- (a) baseline ----
        var consumerSettings = new ConsumerSettings(broker.BootstrapServers, "bench-baseline-1");
        var baseline = BareConsumePaced(broker, "bench.baseline.a", consumerSettings, data, partitions, maxLead);
        Console.WriteLine($"baseline bare consumer: {baseline.Elapsed.TotalSeconds:0.00} s = {events / baseline.Elapsed.TotalSeconds:N0} ev/s (checksum {baseline.Bytes:N0} B)");

        // ---- (b) DmpActors ----
        var dataDir = Path.Combine(Path.GetTempPath(), "dmp-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        string? pgDatabase = null;
        var options = IngestEngine.Options(broker.BootstrapServers, partitions, dataDir, checkpointMs, maxInFlight);
        if (allocation is not null) options.Sharding.Allocation = allocation;
        if (pg is not null)
        {
            (options.Storage.ConnectionString, pgDatabase) = await CreateDatabaseAsync(pg);
            options.Storage.Provider = "postgresql";
        }

        using var meters = new DmpMeterCollector();
        using var tracing = trace is null ? null : TraceListener(double.Parse(trace, System.Globalization.CultureInfo.InvariantCulture));
        using var loggers = ConsoleWarnings.Factory();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var wsBefore = Machine.WorkingSet();
        var gcBefore = GcStats.Now();
        var cpu = ThreadCpu.Start();
        var peak = new PeakWorkingSet();
        var sw = Stopwatch.StartNew();
        var engine = await DmpEngine.StartAsync(options, broker.BootstrapServers, freshLog: true, loggers);
        var started = sw.Elapsed;
        var producing = Task.Factory.StartNew(() => TopicFeed.Produce(broker.BootstrapServers, Topic, data, () => meters.Counter("dmp.events.consumed"), maxLead),
            TaskCreationOptions.LongRunning);
        await producing;
        var end = TopicFeed.EndOffsets(broker.BootstrapServers, Topic, partitions);
        if (end.Values.Sum() != events) throw new InvalidOperationException($"end offsets sum to {end.Values.Sum()}, expected {events}");
        TimeSpan? allApplied = null;
        await IngestEngine.WaitUntilCommittedAsync(engine, end, TimeSpan.FromMinutes(20), () =>
        {
            if (allApplied is null && meters.Counter("dmp.events.applied") + meters.Counter("dmp.events.rejected") >= events) allApplied = sw.Elapsed;
        });
        var dmpElapsed = sw.Elapsed;
        var split = cpu.Stop(dmpElapsed);
        var gc = GcStats.Now().Since(gcBefore);
        peak.Dispose();
        var status = engine.Ingest!.Status;
        Console.WriteLine($"DmpActors: {dmpElapsed.TotalSeconds:0.00} s = {events / dmpElapsed.TotalSeconds:N0} ev/s (engine start {started.TotalSeconds:0.00} s, all applied in memory at {allApplied?.TotalSeconds:0.00} s)");

        // ---- correctness sample ----
        var (checkedUsers, mismatches, durableMismatches, meanStateBytes) = await VerifyAsync(engine, data);
        Console.WriteLine($"verified {checkedUsers} users: {mismatches} live mismatches, {durableMismatches} durable mismatches; mean stored state {meanStateBytes:0} B");
        var storedRows = await engine.Store.CountAsync();
        await engine.DisposeAsync();

        // ---- baseline again (drift check) ----
        var baseline2 = BareConsumePaced(broker, "bench.baseline.b", consumerSettings with { GroupId = "bench-baseline-2" }, data, partitions, maxLead);
        Console.WriteLine($"baseline bare consumer (after): {baseline2.Elapsed.TotalSeconds:0.00} s = {events / baseline2.Elapsed.TotalSeconds:N0} ev/s");
        var dlq = TopicFeed.EndOffsets(broker.BootstrapServers, Dlq, partitions).Values.Sum();

        var baseRate = events / baseline.Elapsed.TotalSeconds;
        var dmpRate = events / dmpElapsed.TotalSeconds;
        var checkpointHist = meters.Hist("dmp.checkpoint.duration");
        var writeHist = meters.Hist("dmp.profiles.write.duration");
        var name = $"ingest-{storeName.ToLowerInvariant()}";
        var md = Report.Header($"ingest, {storeName}: {events:N0} events, {users:N0} users, {partitions} partitions", command) + $"""
            - data: TrafficGenerator (seed 7), {data.ExpectedApplied.Count:N0} distinct entities (user_id, else anonymous_id), mean value {data.MeanValueBytes:0} B; mix: {data.MixSummary()}
            - produce (Confluent producer, acks=1, linger 5 ms, nothing consuming): {events:N0} in {produce.TotalSeconds:0.00} s = **{events / produce.TotalSeconds:N0} ev/s**
            - the embedded broker (librdkafka mock cluster) keeps only the newest 5 MiB per partition, so every run gets its own topic and an in-process producer feeding it at most {LeadPerPartition:N0} records per partition ahead of the consumer ((a): records consumed; (b): `dmp.events.consumed`). The producer's CPU is inside both (a) and (b). Every run checks it received all {events:N0} records.

            | run | time | events/s | ratio to baseline (a) |
            | --- | ---: | ---: | ---: |
            | (a) bare Confluent consumer loop, same fetch settings | {baseline.Elapsed.TotalSeconds:0.00} s | {baseRate:N0} | 1.00 |
            | (b) DmpActors ingest, {storeName}, until every offset is checkpointed + committed | {dmpElapsed.TotalSeconds:0.00} s | {dmpRate:N0} | **{dmpRate / baseRate:0.00}** |
            | (a') bare consumer again, after (b) | {baseline2.Elapsed.TotalSeconds:0.00} s | {events / baseline2.Elapsed.TotalSeconds:N0} | {events / baseline2.Elapsed.TotalSeconds / baseRate:0.00} |

            (b) includes engine start-up ({started.TotalSeconds:0.00} s: store init, cluster join, sharding) and the consumer-group join, as (a) includes its group join. All events were applied in memory at {allApplied?.TotalSeconds:0.00} s; the rest is the last checkpoint.

            | DmpActors detail | value |
            | --- | --- |
            | checkpoints | {status.Checkpoints} (metric dmp.checkpoints {meters.Counter("dmp.checkpoints")}), records checkpointed {status.RecordsCheckpointed:N0}, restarts {status.Restarts}{(status.LastError is null ? "" : $" (last error: {status.LastError})")} |
            | checkpoint duration (flush → all durable) | mean {checkpointHist.Sum / Math.Max(1, checkpointHist.Count):0} ms, p50 {checkpointHist.Percentile(0.5):0} ms, p95 {checkpointHist.Percentile(0.95):0} ms, max {checkpointHist.Max:0} ms; total {checkpointHist.Sum / 1000:0.0} s = {checkpointHist.Sum / dmpElapsed.TotalMilliseconds:P0} of wall |
            | store transactions (dmp.profiles.write.duration) | {writeHist.Count} transactions, {meters.Counter("dmp.profiles.saved"):N0} profile rows, total {writeHist.Sum / 1000:0.0} s = {writeHist.Sum / dmpElapsed.TotalMilliseconds:P0} of wall, mean {writeHist.Sum / Math.Max(1, writeHist.Count):0} ms, max {writeHist.Max:0} ms |
            | events applied / duplicate / rejected (metrics) | {meters.Counter("dmp.events.applied"):N0} / {meters.Counter("dmp.events.duplicate"):N0} / {meters.Counter("dmp.events.rejected"):N0} |
            | dead-letter topic records | {dlq} (generator produced {data.Invalid} invalid) |
            | profiles in store | {storedRows:N0} (entities expected {data.ExpectedApplied.Count:N0}) |
            | correctness sample | {checkedUsers} random entities not named by an identify or alias ({data.IdentityLinked.Count:N0} are, and may be stitched): {mismatches} live EventsApplied mismatches, {durableMismatches} durable (store) mismatches |
            | mean stored profile state (sample) | {meanStateBytes:0} B |
            | working set | {Report.MiB(wsBefore)} before start (holds the {Report.MiB(data.PayloadBytes)} dataset), peak {Report.MiB(peak.Peak)} during (b) |
            | GC during (b) | {gc} |

            CPU during (b):

            {split.Markdown()}
            """;
        Console.WriteLine(md);
        if (tracing is not null)
        {
            // A tracing experiment: console only, so the committed baseline sections stay comparable.
            Console.WriteLine($"trace listener (ratio {trace}): {spans:N0} spans recorded");
            return 0;
        }
        Report.Write(name, md, command, new
        {
            events, users, partitions, store = storeName, entities = data.ExpectedApplied.Count,
            baseline_events_per_s = baseRate, dmp_events_per_s = dmpRate, ratio = dmpRate / baseRate,
            baseline_after_events_per_s = events / baseline2.Elapsed.TotalSeconds,
            gc = new { gc.Gen0, gc.Gen1, gc.Gen2, pause_ms = gc.Pause.TotalMilliseconds, allocated_bytes = gc.Allocated },
            live_mismatches = mismatches, durable_mismatches = durableMismatches,
        });

        if (pgDatabase is not null) await DropDatabaseAsync(pg!, pgDatabase);
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        return mismatches + durableMismatches == 0 ? 0 : 2;
    }

    /// <summary>
    /// Records a run may produce ahead of its consumer, per partition. The embedded broker is librdkafka's
    /// mock cluster, which keeps at most 5 MiB (or 100,000 message sets) per partition and silently drops
    /// the oldest beyond that (rdkafka_mock.c: mpart->max_size = 5 MiB). 1M events of ~250 B over 6
    /// partitions is ~40 MiB per partition, so a run cannot pre-produce everything: the producer runs
    /// alongside the consumer, at most this many records ahead (~2 MiB per partition).
    /// </summary>
    private const long LeadPerPartition = 8_000;

    private static (TimeSpan Elapsed, long Bytes) BareConsumePaced(EmbeddedKafkaBroker broker, string topic, ConsumerSettings settings, Dataset data, int partitions, long maxLead)
    {
        broker.CreateTopic(topic, partitions);
        long consumed = 0;
        var sw = Stopwatch.StartNew();
        var producing = Task.Factory.StartNew(() => TopicFeed.Produce(broker.BootstrapServers, topic, data, () => Interlocked.Read(ref consumed), maxLead),
            TaskCreationOptions.LongRunning);
        var result = BareConsume(topic, settings, data.Count, ref consumed, sw);
        producing.GetAwaiter().GetResult();
        return result;
    }

    private static (TimeSpan Elapsed, long Bytes) BareConsume(string topic, ConsumerSettings settings, int expected, ref long consumed, Stopwatch sw)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(settings.ToConsumerConfig()).Build();
        consumer.Subscribe(topic);
        long count = 0, bytes = 0;
        var nextReport = TimeSpan.FromSeconds(5);
        while (count < expected)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (sw.Elapsed > nextReport)
            {
                Console.WriteLine($"  bare consumer: {count:N0} records after {sw.Elapsed.TotalSeconds:0} s, positions [{string.Join(", ", consumer.Assignment.Select(a => $"{a.Partition.Value}:{consumer.Position(a)}/{consumer.GetWatermarkOffsets(a).High}"))}]");
                nextReport += TimeSpan.FromSeconds(5);
                if (sw.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"bare consumer got {count} of {expected} records in 5 minutes");
            }
            if (r is null || r.IsPartitionEOF) continue;
            bytes += r.Message.Value.Length;
            count++;
            if ((count & 1023) == 0) Interlocked.Exchange(ref consumed, count);
        }
        var elapsed = sw.Elapsed;
        consumer.Close();
        return (elapsed, bytes);
    }

    private static long spans;

    /// <summary>Samples like OTel's ParentBased(TraceIdRatio): a recorded parent wins, roots by ratio.</summary>
    private static ActivityListener TraceListener(double ratio)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Engine.Observability.DmpMetrics.MeterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> o) =>
                o.Parent.TraceId != default ? (o.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                        ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData)
                    : Random.Shared.NextDouble() < ratio ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = _ => Interlocked.Increment(ref spans),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static async Task<(int Checked, int Mismatches, int DurableMismatches, double MeanStateBytes)> VerifyAsync(DmpEngine engine, Dataset data)
    {
        var random = new Random(11);
        // Stitched profiles hold their merged ids' events too: sample the entities no identify or alias names.
        var ids = data.ExpectedApplied.Keys.Where(id => !data.IdentityLinked.Contains(id)).OrderBy(_ => random.Next()).Take(100).ToList();
        var durable = await engine.Store.LoadAsync(ids);
        int mismatches = 0, durableMismatches = 0;
        long stateBytes = 0;
        foreach (var id in ids)
        {
            var expected = data.ExpectedApplied[id];
            var live = await engine.GetProfileAsync(id, TimeSpan.FromSeconds(30));
            if (live?.EventsApplied != expected)
            {
                mismatches++;
                Console.Error.WriteLine($"mismatch {id}: expected {expected}, live {live?.EventsApplied}");
            }
            if (!durable.TryGetValue(id, out var row) || Engine.Serialization.ProfileCodec.Decode(row.State).EventsApplied != expected)
            {
                durableMismatches++;
                Console.Error.WriteLine($"durable mismatch {id}: expected {expected}");
            }
            else stateBytes += row.State.Length;
        }
        return (ids.Count, mismatches, durableMismatches, ids.Count == durableMismatches ? 0 : (double)stateBytes / (ids.Count - durableMismatches));
    }

    private static async Task<(string ConnectionString, string Database)> CreateDatabaseAsync(string adminConnectionString)
    {
        var database = $"dmp_bench_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database };
        Console.WriteLine($"PostgreSQL: fresh database {database}");
        return (builder.ConnectionString, database);
    }

    private static async Task DropDatabaseAsync(string adminConnectionString, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
