using DmpActors.Benchmarks.Infra;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>The <c>peers</c> section of docs/benchmarks.md and its JSON: every runner beside the limit.</summary>
public static class PeersReport
{
    public static string Markdown(string command, Dataset data, int partitions, TimeSpan produceTime, IReadOnlyList<PeerResult> results,
        IReadOnlyList<string> failures, long profiles, long events)
    {
        var limit = results.FirstOrDefault(r => r.Name == "limit");
        string Ratio(double value, Func<PeerResult, double> of) => limit is null ? "–" : $"{value / of(limit):0.00}";
        var rows = string.Join("\n", results.Select(r =>
        {
            var rate = data.Count / r.Elapsed.TotalSeconds;
            var cpu = r.Cpu.TotalMicroseconds / data.Count;
            var heap = (double)r.HeapBytes / profiles;
            return $"| {r.Name} | {r.StartUp.TotalSeconds:0.00} s | {r.Elapsed.TotalSeconds:0.00} s | {rate:N0} | {Ratio(rate, l => data.Count / l.Elapsed.TotalSeconds)} " +
                   $"| {r.ProducedP50:N0} / {r.ProducedP99:N0} ms | {Ratio(r.ProducedP99, l => l.ProducedP99)} | {r.ConsumedP99:0.###} ms | {Ratio(r.ConsumedP99, l => l.ConsumedP99)} " +
                   $"| {cpu:0.0} µs | {Ratio(cpu, l => l.Cpu.TotalMicroseconds / data.Count)} | {heap:N0} B | {Ratio(heap, l => (double)l.HeapBytes / profiles)} " +
                   $"| {r.Checkpoints} | {(r.Correct(profiles, events) ? "yes" : "**no**")} |";
        }));
        var how = string.Join("\n", results.Select(r => $"- **{r.Name}**: {r.How}."));
        var checks = string.Join("\n", results.Select(r =>
            $"| {r.Name} | {r.StoredRows:N0} | {r.StoredProfiles:N0} | {r.StoredEventsApplied:N0} | {r.Mismatched} | {r.AliasRows:N0} ({r.AliasEvents} events) | {r.LatencySamples:N0} |"));
        var notes = string.Concat(results.Where(r => r.Notes is not null).Select(r => $"\n- {r.Name}: {r.Notes}"));
        var failed = failures.Count == 0 ? "" : "\n**Failed:** " + string.Join("; ", failures) + "\n";
        return Report.Header($"peers: the same ingest on DmpActors, Orleans and Proto.Actor beside a hand-written limit ({data.Count:N0} events, {profiles:N0} users)", command) + $"""
            - data: `Dataset.Generate` (TrafficGenerator, seed 7, no logins: identify probability 0, since none of the peers stitches identities), {data.Count:N0} events, {profiles:N0} profiles, mean value {data.MeanValueBytes:0} B; mix: {data.MixSummary()}
            - produced **once** before any runner to topic `dmp.events` ({partitions} partitions) of the embedded broker, zstd-compressed ({produceTime.TotalSeconds:0.00} s) so that the broker's 5 MiB per partition holds all of it; each runner then reads it from the start in its own consumer group, one runner after the other, in the order of the table, in one process
            - every runner: `EventParser.ParseRecord` + `ProfileReducer.Apply` per user, durability by a checkpoint every 1 s (or 200,000 events: the engine's defaults) to its own SQLite file through `SqliteProfileStore` (dirty profiles encoded with `ProfileCodec`, one batch, then offsets committed); done = every record applied, saved and its offset committed
            {how}

            | runner | start-up | time | ev/s | × limit | produced → applied p50 / p99 | × limit | consumed → applied p99 | × limit | CPU / event | × limit | GC heap / user | × limit | checkpoints | correct |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
            {rows}
            {failed}{notes}
            - time and ev/s: from the runner's start (start-up included) until the last offset is committed.
            - produced → applied: the record's timestamp (producer create time) to the moment the runner sees the event applied (the limit: after `Apply`; Orleans and Proto.Actor: the call's reply reaches the loop; DmpActors: the entity's ack ends the record's consume span). The topic is produced before the runners start, so this is mostly how long a record waited in the topic: it grows with a runner's place in the order and with its drain time, and is not a latency under load (the `latency` workload measures that).
            - consumed → applied: from the loop (or the engine's source) reading the record to the same moment: what the runner's own queues add.
            - CPU / event: process CPU time (all threads, GC included) over the run / events. GC heap / user: `GC.GetTotalMemory` after a compacting collection with the runner still holding every profile, minus the same before its start, / profiles (framework state included: the actor system, silo, caches).

            Correctness, from each runner's SQLite file after its run (expected: {profiles:N0} profiles, events_applied {events:N0} in all, each profile exactly its own count; other rows only for ids an alias names, with no events: the dataset's {data.TypeMix.GetValueOrDefault("alias"):N0} aliases link known users to fresh device ids, which the engine records as merged and the peers, which do not stitch, never see):

            | runner | rows | dataset profiles | events_applied in all | profiles off | rows of aliased ids | apply-time samples |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: |
            {checks}
            """;
    }

    public static object Json(Dataset data, int partitions, IReadOnlyList<PeerResult> results, IReadOnlyList<string> failures, long profiles, long events) => new
    {
        events = data.Count, profiles, events_applied_expected = events, partitions, failures,
        runners = results.Select(r => new
        {
            r.Name, start_up_s = r.StartUp.TotalSeconds, elapsed_s = r.Elapsed.TotalSeconds, events_per_s = data.Count / r.Elapsed.TotalSeconds,
            produced_applied_p50_ms = r.ProducedP50, produced_applied_p99_ms = r.ProducedP99, consumed_applied_p99_ms = r.ConsumedP99,
            cpu_us_per_event = r.Cpu.TotalMicroseconds / data.Count, heap_bytes_per_user = (double)r.HeapBytes / profiles,
            r.Checkpoints, r.StoredRows, r.StoredProfiles, r.StoredEventsApplied, r.Mismatched, r.AliasRows, r.AliasEvents, r.LatencySamples,
            correct = r.Correct(profiles, events),
        }),
    };
}
