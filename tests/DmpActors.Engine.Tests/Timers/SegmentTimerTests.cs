using Akka.Actor;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Tests.Segments;
using DmpActors.Engine.Tests.Storage;
using DmpActors.Engine.Tests.Support;
using DmpActors.Engine.Timers;

namespace DmpActors.Engine.Tests.Timers;

/// <summary>The engine on the embedded broker and a real store, its profile clock in the test's hand: segment changes that
/// time alone makes, fired by the timer service at the right instant, for users that passivated or after a restart.</summary>
public sealed class SegmentTimerTests
{
    private static readonly DateTimeOffset T0 = TestEvents.BaseTime;
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(30);

    private static readonly SegmentSet Active =
        SegmentSet.Build(1, [new SegmentVersion("active", 1, "last_seen within 1d", false, T0)]);

    [Fact]
    public Task On_sqlite_a_timer_exits_a_user_at_the_boundary_after_passivation_and_after_a_restart() => Boundary(new EngineHarness());

    [PostgresFact]
    public async Task On_postgresql_a_timer_exits_a_user_at_the_boundary_after_passivation_and_after_a_restart() =>
        await Boundary(new EngineHarness { PostgresConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() });

    private static async Task Boundary(EngineHarness created)
    {
        await using var harness = created;
        var clock = new ManualClock(T0.AddHours(2)); // events are refused when stamped far ahead of the clock
        var options = harness.Options(o =>
        {
            o.Timers.PollInterval = TimeSpan.FromHours(1); // the test polls by hand: nothing fires between its steps
            o.Ingest.PassivateAfter = TimeSpan.FromSeconds(1);
            o.Backfill.Enabled = false; // it would re-evaluate users at the clock's time on start
        });
        var seen = new List<SegmentChange>();

        // Given u1 last seen at T0 and u2 at T0 + 1h, both entered "active" (last_seen within 1d)
        await using (var engine = await Start(harness, options, clock))
        {
            using var _ = engine.SegmentChanges.Subscribe(c => { lock (seen) seen.Add(c); });
            engine.Segments.Publish(Active);
            harness.Produce("u1", TestEvents.PageView("v1", "u1"));
            harness.Produce("u2", TestEvents.PageView("v2", "u2", 60));
            harness.Flush();
            await harness.WaitUntilCommittedToEndAsync(engine, 4);
            await Eventually.True(() => Count(seen) == 2, Ask, "both users to enter");

            // And both entities have passivated (their timers live in the store's due-time index only)
            await Eventually.True(async () => (await engine.LocalUsersAsync(Ask)).Entities == 0, Ask, "both entities to passivate");

            // When the clock stands a millisecond before u1's boundary, nothing is due
            clock.Now = T0.AddDays(1).AddMilliseconds(-1);
            await Poll(engine);
            Assert.Equal(2, Count(seen));

            // Then at the boundary u1 leaves, caused by the timer, at the clock's time; u2 stays
            clock.Now = T0.AddDays(1);
            await Poll(engine);
            await Eventually.True(() => Count(seen) == 3, Ask, "u1 to exit");
            var exit = seen[2];
            Assert.Equal(("u1", "active", SegmentChangeKind.Exited, $"timer:{T0.AddDays(1).UtcDateTime:O}", T0.AddDays(1)),
                (exit.UserId, exit.SegmentId, exit.Kind, exit.Cause.ToString(), exit.At));
            Assert.Equal(1, await engine.Store.CountSegmentMembersAsync("active"));
        }

        // When the engine restarts, u2's timer comes back from the store and fires at its own boundary, not before
        await using (var engine = await Start(harness, options, clock))
        {
            using var _ = engine.SegmentChanges.Subscribe(c => { lock (seen) seen.Add(c); });
            engine.Segments.Publish(Active);
            clock.Now = T0.AddDays(1).AddHours(1).AddMilliseconds(-1);
            await Poll(engine);
            Assert.Equal(3, Count(seen));
            clock.Now = T0.AddDays(1).AddHours(1);
            await Poll(engine);
            await Eventually.True(() => Count(seen) == 4, Ask, "u2 to exit");
            Assert.Equal(("u2", SegmentChangeKind.Exited), (seen[3].UserId, seen[3].Kind));
            Assert.Equal(0, await engine.Store.CountSegmentMembersAsync("active"));
            Assert.Empty(await engine.Store.LoadDueTimersAsync(T0.AddYears(1), 10)); // nothing left that time could change
        }

        // Then the topic holds each change once: two enters by their events, two exits by their timers
        var changes = SegmentChangesEndToEndTests.ReadChanges(harness, 4);
        Assert.Equal(["u1 Entered event:v1", "u1 Exited timer", "u2 Entered event:v2", "u2 Exited timer"],
            changes.Select(c => $"{c.UserId} {c.Kind} {(c.Cause.Kind == SegmentCauseKind.Timer ? "timer" : c.Cause.ToString())}").Order(StringComparer.Ordinal));
    }

    private static Task<DmpEngine> Start(EngineHarness harness, DmpOptions options, TimeProvider clock) =>
        DmpEngine.StartAsync(options, harness.Broker.BootstrapServers, false, harness.Logs, clock);

    private static Task<TimersPolled> Poll(DmpEngine engine) => engine.TimerService.Ask<TimersPolled>(PollTimers.Instance, Ask);

    private static int Count(List<SegmentChange> seen)
    {
        lock (seen) return seen.Count;
    }

}
