using System.Diagnostics;
using DmpActors.Engine.Hosting;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>The engine as the <c>ingest</c> workload runs it: its options over the embedded broker, and the wait
/// until every record of the events topic is checkpointed and its offset committed.</summary>
public static class IngestEngine
{
    /// <param name="checkpointMs">0: the engine's default checkpoint interval.</param>
    /// <param name="maxInFlight">0: the engine's default.</param>
    public static DmpOptions Options(string bootstrapServers, int partitions, string dataDirectory, int checkpointMs = 0, int maxInFlight = 0)
    {
        var options = new DmpOptions();
        options.Node.Port = 0;
        options.Kafka.BootstrapServers = bootstrapServers;
        options.Kafka.Partitions = partitions;
        options.Storage.DataDirectory = dataDirectory;
        if (checkpointMs > 0) options.Ingest.CheckpointInterval = TimeSpan.FromMilliseconds(checkpointMs);
        if (maxInFlight > 0) options.Ingest.MaxInFlight = maxInFlight;
        return options;
    }

    /// <summary>Returns once the committed offsets reach <paramref name="end"/> on every partition; <paramref name="poll"/> runs every 10 ms meanwhile.</summary>
    public static async Task WaitUntilCommittedAsync(DmpEngine engine, IReadOnlyDictionary<int, long> end, TimeSpan timeout, Action? poll = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            poll?.Invoke();
            var committed = engine.Ingest!.Status.NextOffsetByPartition;
            if (end.All(e => e.Value == 0 || committed.GetValueOrDefault(e.Key) == e.Value)) return;
            if (sw.Elapsed > timeout) throw new TimeoutException($"ingest did not reach the end offsets in {timeout.TotalMinutes:0} minutes");
            await Task.Delay(10);
        }
    }
}
