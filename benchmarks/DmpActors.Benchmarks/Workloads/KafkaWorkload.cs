using System.Buffers.Binary;
using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Benchmarks.Infra;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Embedded;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// The Kafka layer alone, on the embedded broker: (1) produce → consume latency of a plain Confluent producer and
/// consumer and of our source stage, at a fixed rate, per fetch wait; (2) throughput of our sources on a
/// pre-produced topic against a bare Confluent consume loop in the same run.
/// </summary>
public static class KafkaWorkload
{
    private const int PayloadBytes = 200;

    public static async Task<int> RunAsync(Args args, string command)
    {
        var records = args.Int("records", 200_000);
        var partitions = args.Int("partitions", 4);
        var rate = args.Int("rate", 5_000);
        var seconds = args.Int("seconds", 10);
        var linger = args.Int("linger-ms", 5);
        var waits = args.Ints("fetch-wait-ms", [100, 0]); // 0: the settings' default
        var only = args.String("only"); // latency | throughput
        args.EnsureAllKnown();

        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" });
        using var system = ActorSystem.Create("kafka-bench", "akka.loglevel = WARNING");
        var materializer = system.Materializer();

        var latencyRows = new List<LatencyRow>();
        if (only is null or "latency")
        {
            foreach (var wait in waits)
            {
                var label = wait == 0 ? $"default ({Describe(Settings(broker, "probe").ToConsumerConfig())})" : $"fetch.wait.max.ms = {wait}";
                latencyRows.Add(BareLatency(broker, rate, seconds, linger, wait, label));
                Console.WriteLine(latencyRows[^1]);
                latencyRows.Add(await StageLatency(broker, materializer, rate, seconds, linger, wait, label));
                Console.WriteLine(latencyRows[^1]);
            }
        }

        var throughputRows = new List<ThroughputRow>();
        if (only is null or "throughput")
        {
            var topic = "bench.throughput";
            broker.CreateTopic(topic, partitions);
            var sw = Stopwatch.StartNew();
            Produce(broker, topic, partitions, records);
            Console.WriteLine($"produced {records:N0} x {PayloadBytes} B in {sw.Elapsed.TotalSeconds:0.00} s");
            throughputRows.Add(BareThroughput(broker, topic, records, "(a) bare Confluent consume loop"));
            throughputRows.Add(await SourceThroughput(materializer, records, "(b) `PlainSource`",
                (s, seen) => KafkaConsumer.PlainSource(Settings(broker, s), topic).Select(_ => { seen.Value++; return NotUsed.Instance; })
                    .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)));
            throughputRows.Add(await SourceThroughput(materializer, records, "(c) `CommittableSource` + `Committer.Sink`",
                (s, seen) => KafkaConsumer.CommittableSource(Settings(broker, s), topic).Select(m => { seen.Value++; return (ICommittable)m.CommittableOffset; })
                    .ToMaterialized(Committer.Sink(CommitterSettings.Default), Keep.Both)));
            throughputRows.Add(await SourceThroughput(materializer, records, "(d) `CommittablePartitionedSource`, sub-sources merged, + `Committer.Sink`",
                (s, seen) => KafkaConsumer.CommittablePartitionedSource(Settings(broker, s), topic)
                    .Via(Flow.Create<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)>().MergeMany(partitions, p => p.Messages))
                    .Select(m => { seen.Value++; return (ICommittable)m.CommittableOffset; })
                    .ToMaterialized(Committer.Sink(CommitterSettings.Default), Keep.Both)));
            throughputRows.Add(BareThroughput(broker, topic, records, "(a') bare loop again"));
            foreach (var row in throughputRows) Console.WriteLine(row);
        }

        var baseline = throughputRows.FirstOrDefault()?.PerSecond ?? 1;
        var md = Report.Header("kafka: the Kafka layer on the embedded broker", command) + $"""
            - latency: a Confluent producer (acks=1, linger {linger} ms) sends {PayloadBytes}-byte records at {rate:N0}/s for {seconds} s round-robin over 6 partitions, each carrying the time of its Produce call; consumed by a bare Confluent consume loop or by `KafkaConsumer.CommittableSource` (our stage, records counted in a `Sink.ForEach`), both with the consumer configuration of `ConsumerSettings.ToConsumerConfig` and the fetch wait shown. Latency = received − produced, in the same process.
            - throughput: {records:N0} records × {PayloadBytes} B pre-produced over {partitions} partitions; each run is a new group from the earliest offset, timed from subscribe to the last record.

            | consumer | fetch wait | p50 | p90 | p99 | max | received |
            | --- | --- | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", latencyRows.Select(r => $"| {r.Consumer} | {r.Wait} | {r.P50:0.0} ms | {r.P90:0.0} ms | {r.P99:0.0} ms | {r.Max:0.0} ms | {r.Received:N0} / {r.Sent:N0} |"))}

            | run | time | msg/s | ratio to (a) |
            | --- | ---: | ---: | ---: |
            {string.Join("\n", throughputRows.Select(r => $"| {r.Run} | {r.Elapsed.TotalSeconds:0.00} s | {r.PerSecond:N0} | {r.PerSecond / baseline:0.00} |"))}
            """;
        Console.WriteLine(md);
        Report.Write("kafka", md, command, new { latency = latencyRows, throughput = throughputRows });
        return 0;
    }

    public sealed record LatencyRow(string Consumer, string Wait, double P50, double P90, double P99, double Max, int Received, int Sent);

    public sealed record ThroughputRow(string Run, TimeSpan Elapsed, double PerSecond);

    private static ConsumerSettings Settings(EmbeddedKafkaBroker broker, string group, int fetchWaitMs = 0)
    {
        var settings = new ConsumerSettings(broker.BootstrapServers, group).WithClientId(group);
        return fetchWaitMs > 0 ? settings.WithProperty("fetch.wait.max.ms", fetchWaitMs.ToString()) : settings;
    }

    private static string Describe(ConsumerConfig config) => $"fetch.wait.max.ms = {config.FetchWaitMaxMs}";

    private static LatencyRow BareLatency(EmbeddedKafkaBroker broker, int rate, int seconds, int linger, int wait, string label)
    {
        var topic = $"bench.latency.bare.{wait}";
        broker.CreateTopic(topic, 6);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(Settings(broker, topic, wait).ToConsumerConfig()).Build();
        consumer.Subscribe(topic);
        var latencies = new List<double>();
        var sending = Task.Factory.StartNew(() => SendAtRate(broker, topic, rate, seconds, linger, warmUp: () => consumer.Assignment.Count == 0), TaskCreationOptions.LongRunning);
        var sw = Stopwatch.StartNew();
        while (!sending.IsCompleted || sw.Elapsed < TimeSpan.FromSeconds(seconds + 30))
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false }) Record(latencies, r);
            if (sending.IsCompleted && latencies.Count >= sending.Result) break;
        }
        consumer.Close();
        return Summarise("bare Confluent consumer loop", label, latencies, sending.Result);
    }

    private static async Task<LatencyRow> StageLatency(EmbeddedKafkaBroker broker, IMaterializer materializer, int rate, int seconds, int linger, int wait, string label)
    {
        var topic = $"bench.latency.stage.{wait}";
        broker.CreateTopic(topic, 6);
        var latencies = new List<double>();
        var (control, done) = KafkaConsumer.CommittableSource(Settings(broker, topic, wait), topic)
            .ToMaterialized(Sink.ForEach<CommittableMessage>(m => { lock (latencies) Record(latencies, m.Record); }), Keep.Both)
            .Run(materializer);
        var sent = await Task.Factory.StartNew(() => SendAtRate(broker, topic, rate, seconds, linger, warmUp: () => control.Assignment.Count == 0), TaskCreationOptions.LongRunning);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30) && Count(latencies) < sent) await Task.Delay(20);
        await control.Shutdown();
        await done;
        lock (latencies) return Summarise("`CommittableSource` (our stage)", label, latencies, sent);
    }

    private static int Count(List<double> latencies) { lock (latencies) return latencies.Count; }

    private static void Record(List<double> latencies, ConsumeResult<byte[]?, byte[]> r)
    {
        var sent = BinaryPrimitives.ReadInt64LittleEndian(r.Message.Value);
        if (sent == 0) return; // warm-up record
        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
    }

    /// <summary>Records due at i / rate; a warm-up record every 100 ms until the consumer has its partitions (not counted).</summary>
    private static int SendAtRate(EmbeddedKafkaBroker broker, string topic, int rate, int seconds, int linger, Func<bool> warmUp)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers, Acks = Acks.Leader, LingerMs = linger,
        }).Build();
        var value = new byte[PayloadBytes];
        var warm = Stopwatch.StartNew();
        while (warmUp() && warm.Elapsed < TimeSpan.FromSeconds(30))
        {
            producer.Produce(topic, new Message<byte[]?, byte[]> { Value = new byte[PayloadBytes] });
            Thread.Sleep(100);
        }
        producer.Flush(TimeSpan.FromSeconds(10));
        Thread.Sleep(500); // let the warm-up records drain
        var total = rate * seconds;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < due) Thread.Sleep(1);
            var v = (byte[])value.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(v, Stopwatch.GetTimestamp());
            producer.Produce(new TopicPartition(topic, i % 6), new Message<byte[]?, byte[]> { Value = v });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return total;
    }

    private static LatencyRow Summarise(string consumer, string wait, List<double> latencies, int sent)
    {
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new LatencyRow(consumer, wait, P(0.5), P(0.9), P(0.99), sorted.Length == 0 ? double.NaN : sorted[^1], sorted.Length, sent);
    }

    private static void Produce(EmbeddedKafkaBroker broker, string topic, int partitions, int count)
    {
        using var producer = new ProducerSettings(broker.BootstrapServers).WithLinger(TimeSpan.FromMilliseconds(2)).CreateProducer();
        var padding = new string('x', PayloadBytes);
        for (var i = 0; i < count; i++)
        {
            // Compressible like JSON events: lz4 batches hold thousands of records each.
            var value = System.Text.Encoding.UTF8.GetBytes($"{i}|{padding}");
            while (true)
            {
                try { producer.Produce(new TopicPartition(topic, i % partitions), new Message<byte[]?, byte[]> { Value = value }); break; }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull) { producer.Poll(TimeSpan.FromMilliseconds(10)); }
            }
        }
        if (producer.Flush(TimeSpan.FromSeconds(60)) != 0) throw new TimeoutException("produce did not complete");
    }

    private static ThroughputRow BareThroughput(EmbeddedKafkaBroker broker, string topic, int records, string run)
    {
        var sw = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(Settings(broker, "bare-" + Guid.NewGuid().ToString("N")[..8]).ToConsumerConfig()).Build();
        consumer.Subscribe(topic);
        var seen = 0;
        while (seen < records)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false }) seen++;
            if (sw.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"bare consumer got {seen} of {records}");
        }
        var elapsed = sw.Elapsed;
        consumer.Close();
        return new ThroughputRow(run, elapsed, records / elapsed.TotalSeconds);
    }

    /// <summary>Timed until the stream has seen every record (the counter is written by the stream's own stage only).</summary>
    private static async Task<ThroughputRow> SourceThroughput<T>(IMaterializer materializer, int records, string run,
        Func<string, System.Runtime.CompilerServices.StrongBox<long>, IRunnableGraph<(IConsumerControl, Task<T>)>> graph)
    {
        var seen = new System.Runtime.CompilerServices.StrongBox<long>();
        var sw = Stopwatch.StartNew();
        var (control, done) = graph("stage-" + Guid.NewGuid().ToString("N")[..8], seen).Run(materializer);
        while (Volatile.Read(ref seen.Value) < records)
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"{run}: {Volatile.Read(ref seen.Value)} of {records}");
            await Task.Delay(1);
        }
        var elapsed = sw.Elapsed;
        Console.WriteLine($"  {run}: {control.Metrics}");
        await control.DrainAndShutdown(done);
        return new ThroughputRow(run, elapsed, records / elapsed.TotalSeconds);
    }
}
