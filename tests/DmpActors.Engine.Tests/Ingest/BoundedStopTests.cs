using System.Diagnostics;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Ingest;

public sealed class BoundedStopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stop_behind_an_entity_that_does_not_answer_ends_within_the_grace_and_loses_nothing()
    {
        var logs = new CapturedLogs();
        await using var harness = new EngineHarness { Logs = logs.Factory(Microsoft.Extensions.Logging.LogLevel.Information) };
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = new EngineHooks(Users: settings => settings with
        {
            Reduce = (profile, e, position, rules, segments) =>
            {
                if (e.EventId == "stuck")
                {
                    entered.TrySetResult();
                    release.Wait(Patience); // an entity that does not answer, like one waiting on a hung database
                }
                return ProfileReducer.Apply(profile, e, position, rules);
            },
        });
        // An ack timeout far beyond the grace: before the grace, a stop waited it out.
        var options = harness.Options(o => { o.Node.StopGrace = TimeSpan.FromSeconds(6); o.Ingest.AckTimeout = TimeSpan.FromSeconds(45); });
        var engine = await harness.StartEngineAsync(options, hooks: hooks);
        for (var i = 0; i < 20; i++) harness.Produce($"user-{i}", TestEvents.PageView($"before-{i}", $"user-{i}"));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(engine, 4, Patience);
        harness.Produce("slow", TestEvents.PageView("stuck", "slow"));
        harness.Flush();
        await entered.Task.WaitAsync(Patience);

        // When the node stops
        var stopping = Stopwatch.StartNew();
        await engine.DisposeAsync();
        stopping.Stop();
        release.Set();

        // Then it took no longer than the grace (and a little for the process), and a new engine applies what was waited for
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(6 + 3), $"the stop took {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains(logs.Lines, l => l.Contains("not acknowledged") && l.Contains("'stuck'"));
        await using var next = await harness.StartEngineAsync(harness.Options());
        // (read from Kafka: the new engine commits only the partitions it had records of)
        await Eventually.True(() =>
        {
            var committed = harness.Committed("dmp-ingest", 4);
            return harness.EndOffsets(4).All(e => e.Value == 0 || committed[e.Key] == e.Value);
        }, Patience, "the replayed event to be committed");
        Assert.Equal(1, (await next.GetProfileAsync("slow", Patience))!.EventsApplied);
        Assert.Equal(1, (await next.GetProfileAsync("user-3", Patience))!.EventsApplied);
    }
}
