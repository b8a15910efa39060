using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>Puts a <see cref="Dataset"/> on a topic of the embedded broker and reads where each partition ends.</summary>
public static class TopicFeed
{
    /// <summary>
    /// Produces every record in order. With <paramref name="consumed"/> the producer stays at most
    /// <paramref name="maxLead"/> records ahead of it (the embedded broker drops the oldest records beyond 5 MiB per
    /// partition).
    /// </summary>
    public static TimeSpan Produce(string bootstrap, string topic, Dataset data, Func<long>? consumed, long maxLead,
        CompressionType compression = CompressionType.None)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Partitioner = Partitioner.Murmur2Random, // as the engine's collector: a user's partition is the user's shard
            Acks = Acks.Leader,
            EnableIdempotence = false,
            LingerMs = 5,
            CompressionType = compression,
            BatchNumMessages = int.Parse(Environment.GetEnvironmentVariable("BENCH_BATCH_MSGS") ?? "10000", System.Globalization.CultureInfo.InvariantCulture),
            BatchSize = int.Parse(Environment.GetEnvironmentVariable("BENCH_BATCH_BYTES") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture),
            QueueBufferingMaxMessages = 2_000_000,
            QueueBufferingMaxKbytes = 2_000_000,
        }).Build();
        long failed = 0;
        void OnDelivery(DeliveryReport<byte[]?, byte[]> r) { if (r.Error.IsError) Interlocked.Increment(ref failed); }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < data.Count; i++)
        {
            if (consumed is not null)
                while (i - consumed() > maxLead) Thread.Sleep(1);
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]> { Key = data.Keys[i], Value = data.Values[i] }, OnDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        producer.Flush(TimeSpan.FromMinutes(2));
        var elapsed = sw.Elapsed;
        if (failed > 0) throw new InvalidOperationException($"{failed} produce requests failed");
        return elapsed;
    }

    public static Dictionary<int, long> EndOffsets(string bootstrap, string topic, int partitions) =>
        Watermarks(bootstrap, topic, partitions).ToDictionary(kv => kv.Key, kv => kv.Value.High.Value);

    public static Dictionary<int, WatermarkOffsets> Watermarks(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-probe" }).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)));
    }
}
