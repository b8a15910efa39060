using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using DmpActors.Kafka.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Kafka.Dsl;

/// <summary>
/// Kafka consumer sources. Each materialization owns one Confluent consumer driven by one dedicated
/// poll thread; partitions whose downstream lags are paused at <see cref="ConsumerSettings.MaxBufferPerPartition"/>.
/// </summary>
public static class KafkaConsumer
{
    /// <summary>
    /// One sub-source per assigned partition (records in partition order). A sub-source completes when
    /// its partition is revoked or lost; records it had buffered but not emitted are dropped and will be
    /// redelivered to the new owner from the last committed offset.
    /// </summary>
    public static Source<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages), IConsumerControl> CommittablePartitionedSource(
        ConsumerSettings settings, IReadOnlyList<string> topics, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (topics.Count == 0) throw new ArgumentException("At least one topic is required", nameof(topics));
        _ = settings.ToConsumerConfig(); // validate now rather than at materialization
        return Source.FromGraph(new PartitionedSourceStage(settings, topics.ToArray(), logger ?? NullLogger.Instance));
    }

    public static Source<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages), IConsumerControl> CommittablePartitionedSource(
        ConsumerSettings settings, params string[] topics) => CommittablePartitionedSource(settings, topics, null);

    /// <summary>All assigned partitions merged; order is preserved per partition.</summary>
    public static Source<CommittableMessage, IConsumerControl> CommittableSource(
        ConsumerSettings settings, IReadOnlyList<string> topics, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (topics.Count == 0) throw new ArgumentException("At least one topic is required", nameof(topics));
        _ = settings.ToConsumerConfig();
        return Source.FromGraph(new CommittableSourceStage(settings, topics.ToArray(), logger ?? NullLogger.Instance));
    }

    public static Source<CommittableMessage, IConsumerControl> CommittableSource(ConsumerSettings settings, params string[] topics) =>
        CommittableSource(settings, topics, null);

    /// <summary>Records without commit handles (the group position is never committed by this source).</summary>
    public static Source<ConsumeResult<byte[]?, byte[]>, IConsumerControl> PlainSource(ConsumerSettings settings, params string[] topics) =>
        CommittableSource(settings, topics, null).Select(m => m.Record);

}
