using Confluent.Kafka;
using DmpActors.Kafka.Stages;

namespace DmpActors.Kafka.Dsl;

/// <summary>Materialized value of the consumer sources.</summary>
public interface IConsumerControl
{
    /// <summary>
    /// Stops emitting (the source and its partition sub-sources complete; partitions are paused) but
    /// keeps the consumer in its group so outstanding commits still succeed. Completes when the source stage has stopped.
    /// </summary>
    Task Stop();

    /// <summary>Stops, processes queued commits, closes the consumer (leaving the group) and completes when it is closed.</summary>
    Task Shutdown();

    /// <summary>Stop, wait for the stream (e.g. its committer sink) to finish, then shut down: the clean way to end.</summary>
    Task DrainAndShutdown(Task streamCompletion);

    /// <summary>Completes when the consumer is closed (faulted if it failed).</summary>
    Task IsShutdown { get; }

    /// <summary>Partitions currently assigned to this consumer.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>Diagnostic counters: back-pressure pauses, buffered high-water mark, commits.</summary>
    ConsumerMetrics Metrics { get; }

    /// <summary>Per assigned partition: high watermark, position and their difference, refreshed about once a second.</summary>
    IReadOnlyList<Observability.PartitionLag> Lag { get; }
}
