using System.Collections.Concurrent;
using DmpActors.Kafka.Messages;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Per partition, the next offset after the last checkpoint: everything before it is durable in the profiles.
/// Written by the checkpoint stage's completion, read by the delivery stage (one instance per stream run).
/// </summary>
public sealed class DurableOffsets
{
    private readonly ConcurrentDictionary<int, long> _next = new();

    /// <summary>Offsets below this are durable; -1 when nothing of the partition is known durable yet.</summary>
    public long Next(int partition) => _next.TryGetValue(partition, out var next) ? next : -1;

    public void Advance(CommittableOffsetBatch checkpoint)
    {
        foreach (var (partition, offset) in checkpoint.Offsets)
            _next.AddOrUpdate(partition.Partition.Value, offset.Value + 1, (_, current) => Math.Max(current, offset.Value + 1));
    }
}
