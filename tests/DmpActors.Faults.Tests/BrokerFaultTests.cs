using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Engine.Tests.Support;
using DmpActors.Faults.Tests.Support;

namespace DmpActors.Faults.Tests;

/// <summary>
/// The broker misbehaves while events keep coming: requests answered with errors, or the broker gone for a while.
/// Afterwards nothing acknowledged is lost, nothing counts twice, and erased users stay erased.
/// </summary>
public sealed class BrokerFaultTests
{
    private static readonly TimeSpan Outage = Heavy.Enabled ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Without_a_fault_the_same_traffic_is_committed_once_and_exactly()
    {
        await using var run = new FaultRun("calm");
        await run.StartAsync();
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);

        var since = Stopwatch.StartNew();
        run.Wave(2, 3);
        run.Wave(3, 2);

        AssertNothingLostOrDoubled(await run.SettleAsync("none (baseline: same traffic, no fault)", since));
    }

    [Fact]
    public Task Produce_requests_answered_with_errors_lose_nothing_and_count_nothing_twice() =>
        RequestErrors("Produce (API 0) answered with 6 errors", "rq-produce", apiKey: 0,
            ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut, ErrorCode.NotLeaderForPartition,
            ErrorCode.LeaderNotAvailable, ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.KafkaStorageError);

    [Fact]
    public Task Fetch_requests_answered_with_errors_lose_nothing_and_count_nothing_twice() =>
        RequestErrors("Fetch (API 1) answered with 6 errors", "rq-fetch", apiKey: 1,
            ErrorCode.NotLeaderForPartition, ErrorCode.LeaderNotAvailable, ErrorCode.KafkaStorageError,
            ErrorCode.UnknownTopicOrPart, ErrorCode.RequestTimedOut, ErrorCode.NotLeaderForPartition);

    [Fact]
    public Task Offset_commits_answered_with_errors_lose_nothing_and_count_nothing_twice() =>
        RequestErrors("OffsetCommit (API 8) answered with 5 retriable errors", "rq-commit", apiKey: 8,
            ErrorCode.GroupLoadInProgress, ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupCoordinatorNotAvailable,
            ErrorCode.RequestTimedOut, ErrorCode.GroupLoadInProgress);

    [Fact]
    public Task The_last_offset_commit_answered_rebalance_in_progress_is_committed_again_while_the_stream_is_idle() =>
        RequestErrors("OffsetCommit (API 8) answered RebalanceInProgress, then idle", "rq-rebalance", apiKey: 8, idleAfter: true,
            ErrorCode.RebalanceInProgress);

    private static Task RequestErrors(string fault, string users, short apiKey, params ErrorCode[] errors) =>
        RequestErrors(fault, users, apiKey, idleAfter: false, errors);

    /// <param name="idleAfter">Inject the errors after the last traffic, so they answer the last checkpoint's commit.</param>
    private static async Task RequestErrors(string fault, string users, short apiKey, bool idleAfter, params ErrorCode[] errors)
    {
        await using var run = new FaultRun(users);
        await run.StartAsync();
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);

        // The errors answer the next requests with this API key, whoever sends them: recovery counts from here.
        if (!idleAfter) run.Harness.Broker.PushRequestErrors(apiKey, errors);
        var since = Stopwatch.StartNew();
        run.Wave(2, 3);
        run.Wave(3, 2);
        if (idleAfter)
        {
            // Then one last record, whose checkpoint's commit meets the errors; nothing comes after it.
            await run.CaughtUpAsync();
            run.Harness.Broker.PushRequestErrors(apiKey, errors);
            since.Restart();
            run.Ledger.Produce(run.Users[^1], TestEvents.PageView("last-one", run.Users[^1], minute: 99));
        }

        AssertNothingLostOrDoubled(await run.SettleAsync(fault, since));
    }

    [Fact]
    public async Task A_broker_down_and_up_again_loses_nothing_and_counts_nothing_twice()
    {
        await using var run = new FaultRun("down");
        await run.StartAsync();
        run.Wave(1, 3);
        await run.CaughtUpAsync();
        await run.EraseAsync(2);

        run.Harness.Broker.SetBrokerDown(1);
        run.Wave(2, 3); // the producer holds these until the broker is back
        await Task.Delay(Outage); // the outage itself
        run.Harness.Broker.SetBrokerUp(1);
        var since = Stopwatch.StartNew();
        run.Wave(3, 2);

        AssertNothingLostOrDoubled(await run.SettleAsync($"broker down {Outage.TotalSeconds:0} s, then up", since));
    }

    internal static void AssertNothingLostOrDoubled(FaultOutcome outcome) =>
        Assert.Equal((outcome.Fault, 0L, 0L, 0L), (outcome.Fault, outcome.Lost, outcome.Doubled, outcome.Resurrected));
}
