using Akka.Actor;
using Akka.Configuration;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>
/// An id merged into another forwards its events to the survivor. A forwarded event may count as seen by the
/// tombstone only once the survivor's state holding it is durable: otherwise a crash loses it (the replay is judged
/// a duplicate where it arrives and never reaches the survivor). Each test crashes at one step and replays.
/// </summary>
public sealed class ForwardingDurabilityTests
{
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(15);
    private static readonly Config NoGracefulStop = EngineHarness.NoGracefulStop;

    private static UserEvent Parse(byte[] json) => EventParser.ParseAccepted(json).Event!;

    private static Task<EventApplied> Apply(DmpEngine engine, string entity, byte[] json, EventPosition? position) =>
        engine.Users.Ask<EventApplied>(new ApplyEvent(entity, Parse(json), position, 1), Ask);

    private static async Task Crash(DmpEngine engine)
    {
        await engine.System.Terminate();
        engine.Producer.Dispose();
        await engine.Store.DisposeAsync();
    }

    /// <summary>anon-1 viewed once, then logged in as alice (identify on alice's partition): anon-1 is a tombstone, and
    /// everything up to here is durable. Returns the tombstone's incarnation.</summary>
    private static async Task<long> MergedAndDurable(DmpEngine engine)
    {
        await Apply(engine, "anon-1", TestEvents.AnonymousView("v0", "anon-1"), new EventPosition(1, 0, 1));
        Assert.Equal(ApplyOutcome.Applied, (await Apply(engine, "alice", TestEvents.Identify("login", "alice", "anon-1", 1), new EventPosition(0, 0, 1))).Outcome);
        await Eventually.True(async () => (await engine.GetProfileAsync("alice", Ask))?.EventsApplied == 2, Ask, "the merge");
        var replay = await Apply(engine, "anon-1", TestEvents.AnonymousView("v0", "anon-1"), new EventPosition(1, 0, 1));
        Assert.Equal(ApplyOutcome.ReplayedPosition, replay.Outcome);
        foreach (var id in new[] { "alice", "anon-1" })
        {
            var flushed = await engine.Users.Ask<ProfileFlushed>(new FlushProfile(id, id == "anon-1" ? replay.Incarnation : 0, 0, 1), Ask);
            Assert.True(flushed.Succeeded, flushed.Error);
        }
        return replay.Incarnation;
    }

    [Fact]
    public async Task A_tombstone_flushed_while_an_event_is_on_its_way_to_the_survivor_does_not_lose_that_event_in_a_crash()
    {
        await using var harness = new EngineHarness();
        var options = harness.Options(o => o.Ingest.Enabled = false);
        var first = await harness.StartEngineAsync(options, NoGracefulStop);
        var tombstone = await MergedAndDurable(first);

        // When an event for the old id is forwarded and the tombstone is flushed before the survivor has answered
        var forwarded = first.Users.Ask<EventApplied>(new ApplyEvent("anon-1", Parse(TestEvents.AnonymousView("v1", "anon-1", 2)), new EventPosition(1, 1, 1), 2), Ask);
        var flushed = await first.Users.Ask<ProfileFlushed>(new FlushProfile("anon-1", tombstone, 0, 2), Ask);
        Assert.True(flushed.Succeeded, flushed.Error);
        await forwarded;
        // ... and the node crashes before any checkpoint covered the forwarded event
        await Crash(first);

        // Then the replay of that event reaches the survivor, once
        await using var second = await harness.StartEngineAsync(options);
        var replay = await Apply(second, "anon-1", TestEvents.AnonymousView("v1", "anon-1", 2), new EventPosition(1, 1, 1));
        Assert.Equal(ApplyOutcome.Applied, replay.Outcome);
        var alice = await second.GetProfileAsync("alice", Ask);
        Assert.Equal(3, alice!.EventsApplied);
        Assert.Equal(2, alice.CountOf(EventType.ProductView));
    }

    [Fact]
    public async Task A_forwarded_event_made_durable_by_a_flush_is_not_counted_again_when_it_is_replayed_after_a_crash()
    {
        await using var harness = new EngineHarness();
        var options = harness.Options(o => o.Ingest.Enabled = false);
        var first = await harness.StartEngineAsync(options, NoGracefulStop);
        var tombstone = await MergedAndDurable(first);

        // When a forwarded event is acknowledged and a flush of the tombstone makes it durable
        var forwarded = await Apply(first, "anon-1", TestEvents.AnonymousView("v1", "anon-1", 2), new EventPosition(1, 1, 1));
        Assert.Equal(ApplyOutcome.Applied, forwarded.Outcome);
        var flushed = await first.Users.Ask<ProfileFlushed>(new FlushProfile("anon-1", tombstone, 0, 2), Ask);
        Assert.True(flushed.Succeeded, flushed.Error);
        await Crash(first);

        // Then its replay is recognised, and the survivor counts it once
        await using var second = await harness.StartEngineAsync(options);
        var replay = await Apply(second, "anon-1", TestEvents.AnonymousView("v1", "anon-1", 2), new EventPosition(1, 1, 1));
        Assert.NotEqual(ApplyOutcome.Applied, replay.Outcome);
        var alice = await second.GetProfileAsync("alice", Ask);
        Assert.Equal(3, alice!.EventsApplied);
    }

    [Fact]
    public async Task The_next_event_of_a_tombstone_after_a_forwarded_one_that_is_not_yet_durable_is_not_refused_as_following_a_gap()
    {
        await using var harness = new EngineHarness();
        var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.Enabled = false));
        await using var _ = engine;
        await MergedAndDurable(engine);

        Assert.Equal(ApplyOutcome.Applied, (await Apply(engine, "anon-1", TestEvents.AnonymousView("v1", "anon-1", 2), new EventPosition(1, 1, 1))).Outcome);
        var next = await engine.Users.Ask<EventApplied>(
            new ApplyEvent("anon-1", Parse(TestEvents.AnonymousView("v2", "anon-1", 3)), new EventPosition(1, 2, 1), 3, PreviousOffset: 1), Ask);

        Assert.Equal(ApplyOutcome.Applied, next.Outcome);
    }
}
