using System.Diagnostics;
using System.Text;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>
/// The consume loop of the actor peers: each record goes to its user (keyed by the record key) with at most
/// <see cref="PeerContext.MaxInFlight"/> calls outstanding, the engine's default. A checkpoint waits for every
/// outstanding call, asks each user touched since the last one for its encoded state, saves the batch and commits.
/// </summary>
public static class ActorConsumeLoop
{
    public static async Task<PeerCheckpoint> RunAsync(PeerContext context, IPeerUsers users, string group, Engine.Storage.IProfileStore store)
    {
        using var consumer = context.Subscribe(group);
        var checkpoint = new PeerCheckpoint(store, consumer, context.CheckpointInterval, context.MaxEventsPerCheckpoint);
        var permits = new SemaphoreSlim(context.MaxInFlight, context.MaxInFlight);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        Exception? failure = null;
        var deadline = DateTime.UtcNow.AddMinutes(20);
        long consumed = 0;

        async Task Track(Task call, PeerRecord record, long stamp)
        {
            try
            {
                await call.ConfigureAwait(false);
                context.Latency.Applied(record.Partition, record.Offset, stamp);
            }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
            finally { permits.Release(); }
        }

        while (consumed < context.Events)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is not null && !r.IsPartitionEOF)
            {
                await permits.WaitAsync().ConfigureAwait(false);
                if (failure is not null) throw new InvalidOperationException("applying a record failed", failure);
                var stamp = Stopwatch.GetTimestamp();
                var key = r.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
                var record = new PeerRecord { Json = r.Message.Value, RecordUnixMs = r.Message.Timestamp.UnixTimestampMs, Partition = r.Partition.Value, Offset = r.Offset.Value };
                _ = Track(users.ApplyAsync(key, record), record, stamp);
                dirty.Add(key);
                checkpoint.Consumed(r.TopicPartition, r.Offset.Value);
                consumed++;
            }
            else if (DateTime.UtcNow > deadline) throw new TimeoutException($"{group} consumed {consumed} of {context.Events} records in 20 minutes");
            if (consumed == context.Events || checkpoint.Due)
            {
                // Every permit back: nothing handed on is still being applied, so the offsets noted are safe to commit.
                for (var i = 0; i < context.MaxInFlight; i++) await permits.WaitAsync().ConfigureAwait(false);
                permits.Release(context.MaxInFlight);
                if (failure is not null) throw new InvalidOperationException("applying a record failed", failure);
                await checkpoint.WriteAsync(await TakeDirtyAsync(users, dirty, context.MaxInFlight).ConfigureAwait(false)).ConfigureAwait(false);
                dirty.Clear();
            }
        }
        consumer.Close();
        return checkpoint;
    }

    private static async Task<List<(string Id, byte[] State)>> TakeDirtyAsync(IPeerUsers users, HashSet<string> ids, int parallel)
    {
        var rows = new List<(string, byte[])>(ids.Count);
        foreach (var chunk in ids.Chunk(parallel))
        {
            var states = await Task.WhenAll(chunk.Select(users.TakeDirtyStateAsync)).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
                if (states[i] is { } state) rows.Add((chunk[i], state));
        }
        return rows;
    }
}
