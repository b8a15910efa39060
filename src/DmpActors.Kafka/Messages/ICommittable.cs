using Confluent.Kafka;

namespace DmpActors.Kafka.Messages;

/// <summary>Something whose offsets can be committed: one <see cref="CommittableOffset"/> or a batch.</summary>
public interface ICommittable
{
    /// <summary>Number of consumed records this commit covers (1 for a single offset).</summary>
    long BatchSize { get; }

    /// <summary>
    /// Commits, through the owning consumer's poll thread, the position after each offset
    /// (offset + 1, Kafka's convention: the committed offset is the next record to read).
    /// Offsets of partitions the consumer no longer owns (revoked or lost since the record was
    /// consumed) are not sent; they are reported in <see cref="CommitResult.Skipped"/> and the task
    /// still succeeds. The task fails when Kafka rejects the commit or the consumer is shut down.
    /// </summary>
    Task<CommitResult> Commit();
}

/// <summary>Outcome of a commit; offsets are the committed positions (consumed offset + 1).</summary>
public sealed record CommitResult(IReadOnlyList<TopicPartitionOffset> Committed, IReadOnlyList<TopicPartitionOffset> Skipped)
{
    public static CommitResult Empty { get; } = new([], []);

    public CommitResult Merge(CommitResult other) =>
        new([.. Committed, .. other.Committed], [.. Skipped, .. other.Skipped]);
}
