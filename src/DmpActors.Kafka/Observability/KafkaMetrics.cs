using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DmpActors.Kafka.Stages;

namespace DmpActors.Kafka.Observability;

/// <summary>
/// Instruments of the Kafka stages, on their own meter (a library owns its meter, as ASP.NET Core and
/// Npgsql do). Names start with "dmp.kafka."; docs/operations.md lists them.
/// </summary>
public static class KafkaMetrics
{
    public const string MeterName = "DmpActors.Kafka";
    private static readonly Meter Meter = new(MeterName, typeof(KafkaMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<ConsumerLoop, bool> Consumers = new();

    internal static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "dmp.kafka.commit.duration", "ms", "Round trip of one offset commit to Kafka (including retries)");

    /// <summary>Read only when a collector asks; the poll thread refreshes the numbers about once a second.</summary>
    internal static readonly ObservableGauge<long> ConsumerLag = Meter.CreateObservableGauge(
        "dmp.kafka.consumer.lag", ObserveLag, "{record}", "Records in a partition not yet read by this node's consumer (high watermark - position)");

    internal static void Track(ConsumerLoop consumer) => Consumers[consumer] = true;
    internal static void Untrack(ConsumerLoop consumer) => Consumers.TryRemove(consumer, out _);

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var consumer in Consumers.Keys)
        foreach (var lag in consumer.Lag)
            yield return new Measurement<long>(lag.Lag,
                new KeyValuePair<string, object?>("topic", lag.Topic),
                new KeyValuePair<string, object?>("partition", lag.Partition),
                new KeyValuePair<string, object?>("group", consumer.GroupId));
    }
}

/// <summary>How far one assigned partition's consumer position is behind the partition's end.</summary>
public sealed record PartitionLag(string Topic, int Partition, long HighWatermark, long Position, long Lag);
