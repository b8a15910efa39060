using System.Collections.Immutable;
using Confluent.Kafka;

namespace DmpActors.Kafka.Messages;

/// <summary>Immutable accumulation of offsets keeping the highest offset per partition.</summary>
public sealed class CommittableOffsetBatch : ICommittable
{
    private readonly ImmutableDictionary<TopicPartition, CommittableOffset> _latest;

    private CommittableOffsetBatch(ImmutableDictionary<TopicPartition, CommittableOffset> latest, long batchSize)
    {
        _latest = latest;
        BatchSize = batchSize;
    }

    public static CommittableOffsetBatch Empty { get; } = new(ImmutableDictionary<TopicPartition, CommittableOffset>.Empty, 0);

    /// <summary>Highest consumed offset per partition (a commit stores each + 1).</summary>
    public IReadOnlyDictionary<TopicPartition, Offset> Offsets => _latest.ToDictionary(kv => kv.Key, kv => kv.Value.Offset);

    public long BatchSize { get; }

    public bool IsEmpty => _latest.IsEmpty;

    public CommittableOffsetBatch Updated(CommittableOffset offset) =>
        new(Keep(_latest, offset), BatchSize + 1);

    public CommittableOffsetBatch Updated(ICommittable committable) => committable switch
    {
        CommittableOffset single => Updated(single),
        CommittableOffsetBatch batch => new(batch._latest.Values.Aggregate(_latest, Keep), BatchSize + batch.BatchSize),
        _ => throw new ArgumentException($"Unsupported committable {committable.GetType()}", nameof(committable)),
    };

    public async Task<CommitResult> Commit()
    {
        if (_latest.IsEmpty) return CommitResult.Empty;
        var perConsumer = _latest.Values
            .GroupBy(o => o.Channel.Owner)
            .Select(g => g.Key.Commit(g.Select(o => (o.Channel, o.Offset.Value + 1)).ToList()));
        var results = await Task.WhenAll(perConsumer).ConfigureAwait(false);
        return results.Aggregate(CommitResult.Empty, (acc, r) => acc.Merge(r));
    }

    private static ImmutableDictionary<TopicPartition, CommittableOffset> Keep(
        ImmutableDictionary<TopicPartition, CommittableOffset> latest, CommittableOffset offset) =>
        latest.TryGetValue(offset.TopicPartition, out var existing) && existing.Offset.Value >= offset.Offset.Value
            ? latest
            : latest.SetItem(offset.TopicPartition, offset);

    public override string ToString() => $"CommittableOffsetBatch({string.Join(", ", _latest.Values)}; size {BatchSize})";
}
