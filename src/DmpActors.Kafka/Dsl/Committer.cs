using Akka;
using Akka.Streams.Dsl;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;

namespace DmpActors.Kafka.Dsl;

/// <summary>
/// Commits offsets in batches (by count and by time), never one commit per record. While a commit is
/// in flight the next batches are merged into one, so the stream never waits for a commit round trip.
/// </summary>
public static class Committer
{
    /// <summary>
    /// Emits each batch's <see cref="CommitResult"/> once Kafka answered: what was committed, and what was skipped
    /// because the partition is no longer ours (revoked, or a rebalance was under way; the next owner resumes from the
    /// last commit). A failed commit fails the stream, so a supervisor restarts it from the committed offsets.
    /// </summary>
    public static Flow<ICommittable, CommitResult, NotUsed> Flow(CommitterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(settings), "MaxBatch must be >= 1");
        if (settings.Parallelism < 1) throw new ArgumentOutOfRangeException(nameof(settings), "Parallelism must be >= 1");
        return Akka.Streams.Dsl.Flow.Create<ICommittable>()
            .GroupedWeightedWithin(settings.MaxBatch, settings.MaxBatch, settings.MaxInterval, c => Math.Max(1, c.BatchSize))
            .Select(group => group.Aggregate(CommittableOffsetBatch.Empty, (batch, c) => batch.Updated(c)))
            .ConflateWithSeed(batch => batch, (merged, batch) => merged.Updated(batch))
            .SelectAsync(settings.Parallelism, batch => batch.Commit())
            .Named("kafkaCommitter");
    }

    /// <summary>Commits everything it receives; completes when the last batch is committed.</summary>
    public static Sink<ICommittable, Task<Done>> Sink(CommitterSettings settings) =>
        Flow(settings).ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<CommitResult>(), Keep.Right);
}
