using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Engine.Storage;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>
/// The hand-written runners' durability, as the engine's checkpoint does it: the dirty profiles, encoded, saved in
/// one batch, then the offsets after the last applied record of each partition committed. Called from the consume loop.
/// </summary>
public sealed class PeerCheckpoint(IProfileStore store, IConsumer<byte[]?, byte[]> consumer, TimeSpan interval, int maxEvents)
{
    private readonly Dictionary<TopicPartition, long> _next = new();
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly List<double> _durationsMs = [];
    private int _eventsSinceLast;
    private long _version;

    public int Count => _durationsMs.Count;

    public long RowsWritten { get; private set; }

    public double TotalMs => _durationsMs.Sum();

    /// <summary>Notes a record as handed on; its offset is committed by the checkpoint after it is applied.</summary>
    public void Consumed(TopicPartition partition, long offset)
    {
        _next[partition] = offset + 1;
        _eventsSinceLast++;
    }

    public bool Due => _eventsSinceLast > 0 && (_sinceLast.Elapsed >= interval || _eventsSinceLast >= maxEvents);

    /// <summary>Every record noted so far must be applied before this is called.</summary>
    public async Task WriteAsync(IReadOnlyList<(string Id, byte[] State)> dirty)
    {
        var sw = Stopwatch.StartNew();
        _version++;
        if (dirty.Count > 0)
        {
            var rows = new StoredProfile[dirty.Count];
            for (var i = 0; i < rows.Length; i++) rows[i] = new StoredProfile(dirty[i].Id, dirty[i].State, _version);
            var result = await store.SaveAsync(rows);
            if (result.Stale.Count + result.Rejected.Count > 0)
                throw new InvalidOperationException($"checkpoint {_version}: {result.Stale.Count} stale and {result.Rejected.Count} rejected rows");
            RowsWritten += rows.Length;
        }
        consumer.Commit(_next.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList());
        _durationsMs.Add(sw.Elapsed.TotalMilliseconds);
        _eventsSinceLast = 0;
        _sinceLast.Restart();
    }
}
