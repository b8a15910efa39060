using System.Diagnostics;
using DmpActors.Engine.Tests.Support;
using DmpActors.Faults.Tests.Support;

namespace DmpActors.Faults.Tests;

/// <summary>
/// The profile store fails under load — PostgreSQL stopped and started again, SQLite's disk full then freed: no
/// offset is committed past what is durable, and once the store is back everything counts once.
/// </summary>
public sealed class StoreFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Outage = Heavy.Enabled ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(3);

    [PrivatePostgresFact]
    public async Task PostgreSQL_stopped_and_started_again_under_load_loses_nothing_and_counts_nothing_twice()
    {
        await using var postgres = await PrivatePostgres.StartNewAsync();
        await using var run = new FaultRun("pg-down", harness: new EngineHarness(FaultRun.Partitions) { PostgresConnectionString = postgres.ConnectionString });
        await run.StartAsync(run.Harness.Options(o => o.Ingest.CheckpointTimeout = TimeSpan.FromSeconds(3)));
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);
        var committed = run.Harness.EndOffsets(FaultRun.Partitions);

        await postgres.StopAsync();
        run.Wave(2, 5);
        await Eventually.True(() => run.Engine!.Ingest!.Status.Restarts >= 1, Patience, "a checkpoint to fail and the ingest to restart");
        await Task.Delay(Outage); // the outage goes on while events arrive
        Assert.Equal(committed, run.Harness.Committed("dmp-ingest", FaultRun.Partitions));
        await postgres.StartAsync();
        var since = Stopwatch.StartNew();
        run.Wave(3, 2);

        BrokerFaultTests.AssertNothingLostOrDoubled(await run.SettleAsync($"PostgreSQL stopped (immediate) ~{Outage.TotalSeconds:0} s under load, started", since,
            "nothing committed during the outage (checked)"));
    }

    [MountFact]
    public async Task A_full_disk_under_sqlite_fails_checkpoints_and_once_space_is_back_nothing_is_lost_or_counted_twice()
    {
        using var disk = new SmallDisk(megabytes: 16);
        await using var run = new FaultRun("disk-full");
        await run.StartAsync(run.Harness.Options(o =>
        {
            o.Storage.DataDirectory = disk.Path;
            o.Ingest.CheckpointTimeout = TimeSpan.FromSeconds(3);
        }));
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);
        var committed = run.Harness.EndOffsets(FaultRun.Partitions);

        disk.Fill();
        run.Wave(2, 5);
        await Eventually.True(() => run.Engine!.Ingest!.Status.Restarts >= 1, Patience, "a checkpoint to fail on the full disk and the ingest to restart");
        Assert.Equal(committed, run.Harness.Committed("dmp-ingest", FaultRun.Partitions));
        disk.Free();
        var since = Stopwatch.StartNew();
        run.Wave(3, 2);

        BrokerFaultTests.AssertNothingLostOrDoubled(await run.SettleAsync("SQLite disk full (16 MB tmpfs filled), then freed", since,
            "nothing committed while full (checked)"));
    }
}
