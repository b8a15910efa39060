using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Tests.Support;
using DmpActors.Faults.Tests.Support;
using DmpActors.Host.Tests;

namespace DmpActors.Faults.Tests;

/// <summary>
/// The engine dies in the middle of the stream — its actor system torn down, or its host process killed with
/// SIGKILL — and a new one starts on the same store: everything acknowledged counts once, erased users stay erased.
/// </summary>
public sealed class CrashFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task An_engine_crash_mid_stream_then_a_new_engine_loses_nothing_and_counts_nothing_twice()
    {
        await using var run = new FaultRun("crash");
        await run.StartAsync();
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);
        var checkpointed = run.Engine!.Ingest!.Status.RecordsCheckpointed;

        run.Wave(2, 10);
        // Mid-stream: some of wave 2 is durable, some applied in memory only, some not consumed yet.
        await Eventually.True(() => run.Engine!.Ingest!.Status.RecordsCheckpointed > checkpointed, Patience, "a checkpoint of wave 2");
        await run.CrashAsync();
        var since = Stopwatch.StartNew();
        await run.StartAsync();
        var started = since.Elapsed;
        run.Wave(3, 2);

        BrokerFaultTests.AssertNothingLostOrDoubled(await run.SettleAsync("engine crash mid-stream (actor system terminated), new engine", since,
            $"recovery includes the new engine's start ({started.TotalSeconds:0.0} s) and the consumer-group hand-over of the dead engine's partitions"));
    }

    [Fact]
    public async Task A_host_process_killed_with_sigkill_mid_stream_loses_nothing_and_counts_nothing_twice()
    {
        await using var run = new FaultRun("kill9");
        using var data = new TempDir();
        string[] settings = ["--Dmp:Kafka:Embedded=false", $"--Dmp:Kafka:BootstrapServers={run.Harness.Broker.BootstrapServers}",
            "--Dmp:Node:Port=0", $"--Dmp:Storage:DataDirectory={data.Path}", "--Dmp:Ingest:CheckpointInterval=00:00:00.200",
            "--Dmp:Admin:ApiKey=faults-test-admin-key"];
        FaultOutcome outcome;
        Stopwatch since;
        await using (var first = await HostProcess.StartAsync(settings))
        {
            run.Wave(1, 3);
            await run.Ledger.AcknowledgedAsync();
            await CommittedToEndAsync(first, run);
            foreach (var user in run.Users.Take(2))
            {
                Assert.Equal(HttpStatusCode.Accepted, (await first.Http.DeleteAsync($"/v1/profiles/{user}")).StatusCode);
                run.MarkErased(user);
            }
            var checkpoints = (await first.InfoAsync()).GetProperty("ingest").GetProperty("checkpoints").GetInt64();
            run.Wave(2, 10);
            await Eventually.True(async () => (await first.InfoAsync()).GetProperty("ingest").GetProperty("checkpoints").GetInt64() > checkpoints,
                Patience, "a checkpoint of wave 2");
            await first.KillAsync();
            since = Stopwatch.StartNew();
        }
        run.Wave(3, 2);

        await using var second = await HostProcess.StartAsync(settings);
        var (produced, expected) = await run.ExpectedAsync(ProfileRules.Default, generation: 1);
        await CommittedToEndAsync(second, run);
        var recovery = since.Elapsed;
        long lost = 0, doubled = 0, resurrected = 0;
        foreach (var user in run.Users)
        {
            var response = await second.Http.GetAsync($"/v1/profiles/{user}");
            if (run.Erased.Contains(user))
            {
                if (response.StatusCode != HttpStatusCode.NotFound) resurrected++;
                continue;
            }
            var applied = response.StatusCode == HttpStatusCode.OK
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events_applied").GetInt64()
                : 0;
            lost += Math.Max(0, expected.EventsApplied(user) - applied);
            doubled += Math.Max(0, applied - expected.EventsApplied(user));
        }
        var restarts = (await second.InfoAsync()).GetProperty("ingest").GetProperty("restarts").GetInt64();
        outcome = new FaultOutcome("host process kill -9 mid-stream (external broker), restart", produced.Count, lost, doubled, resurrected,
            recovery, restarts, "recovery includes the new process's start");
        ReliabilityReport.Record(outcome);
        BrokerFaultTests.AssertNothingLostOrDoubled(outcome);
    }

    private static Task CommittedToEndAsync(HostProcess host, FaultRun run) =>
        Eventually.True(async () =>
        {
            var end = run.Harness.EndOffsets(FaultRun.Partitions);
            var next = (await host.InfoAsync()).GetProperty("ingest").GetProperty("next_offset_by_partition");
            return end.All(e => e.Value == 0 || (next.TryGetProperty(e.Key.ToString(), out var o) && o.GetInt64() == e.Value));
        }, Patience, "the host to commit every produced record");
}
