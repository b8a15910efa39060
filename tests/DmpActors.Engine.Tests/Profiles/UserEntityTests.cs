using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

public sealed class UserEntityTests
{
    private static UserEvent PageView(string id, string user, int minute = 0) => EventParser.ParseAccepted(TestEvents.PageView(id, user, minute)).Event!;

    [Fact]
    public async Task An_idle_user_with_unsaved_events_is_saved_before_it_is_passivated_and_reloads_the_same()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Ingest.PassivateAfter = TimeSpan.FromSeconds(1);
        }));

        // Given events applied in memory only (no ingest, so no checkpoint will ever save them)
        for (var i = 0; i < 3; i++)
        {
            var applied = await engine.Users.Ask<EventApplied>(new ApplyEvent("idle-user", PageView($"p{i}", "idle-user"), new EventPosition(0, i, 1), i), TimeSpan.FromSeconds(10));
            Assert.Equal(ApplyOutcome.Applied, applied.Outcome);
        }
        Assert.Empty(await engine.Store.LoadAsync(["idle-user"]));

        // When the user stays idle past PassivateAfter, Then the shard stops it and it saves first
        await Eventually.True(async () => (await engine.Store.LoadAsync(["idle-user"])).Count == 1, TimeSpan.FromSeconds(30), "the idle user to be saved");
        var stored = ProfileCodec.Decode((await engine.Store.LoadAsync(["idle-user"]))["idle-user"].State);
        Assert.Equal(3, stored.EventsApplied);

        // And a later read loads exactly that state, replays still recognised
        var live = await engine.GetProfileAsync("idle-user", TimeSpan.FromSeconds(10));
        Assert.Equal(3, live!.EventsApplied);
        var replay = await engine.Users.Ask<EventApplied>(new ApplyEvent("idle-user", PageView("p2", "idle-user"), new EventPosition(0, 2, 1), 9), TimeSpan.FromSeconds(10));
        Assert.Equal(ApplyOutcome.ReplayedPosition, replay.Outcome);
    }

    [Fact]
    public async Task An_event_whose_predecessor_never_arrived_is_refused_so_no_hole_is_left()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.Enabled = false));
        var timeout = TimeSpan.FromSeconds(10);
        Task<EventApplied> Send(string id, long offset, long previous) =>
            engine.Users.Ask<EventApplied>(new ApplyEvent("holey", PageView(id, "holey"), new EventPosition(2, offset, 1), offset, previous), timeout);

        // Given the user's event at offset 5 applied, and the one at offset 7 lost on the way
        Assert.Equal(ApplyOutcome.Applied, (await Send("h5", 5, -1)).Outcome);

        // When the event at offset 9 arrives naming 7 as its predecessor, Then it is refused and nothing changes
        Assert.Equal(ApplyOutcome.MissingPrevious, (await Send("h9", 9, 7)).Outcome);
        Assert.Equal(1, (await engine.GetProfileAsync("holey", timeout))!.EventsApplied);

        // And once 7 is replayed (naming 5), 9 applies: both count, in order, exactly once
        Assert.Equal(ApplyOutcome.Applied, (await Send("h7", 7, 5)).Outcome);
        Assert.Equal(ApplyOutcome.Applied, (await Send("h9", 9, 7)).Outcome);
        Assert.Equal(3, (await engine.GetProfileAsync("holey", timeout))!.EventsApplied);
    }

    [Fact]
    public async Task A_checkpoint_trusts_a_new_incarnation_only_for_versions_its_predecessor_saved()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Ingest.PassivateAfter = TimeSpan.FromSeconds(1);
        }));
        var timeout = TimeSpan.FromSeconds(10);

        // Given three events applied by one life of the entity, which then passivates (saving first)
        EventApplied last = null!;
        for (var i = 0; i < 3; i++)
            last = await engine.Users.Ask<EventApplied>(new ApplyEvent("mover", PageView($"m{i}", "mover"), new EventPosition(0, i, 1), i), timeout);
        Assert.Equal(3, last.Version);
        await Eventually.True(async () => (await engine.Store.LoadAsync(["mover"])).Count == 1, TimeSpan.FromSeconds(30), "the idle user to be saved");

        // When a checkpoint asks the next life (it loads version 3) to vouch for what the first life applied
        var vouched = await engine.Users.Ask<ProfileFlushed>(new FlushProfile("mover", last.Incarnation, last.Version, 1), timeout);
        // ...and for a version it never loaded (as after a crash that lost unsaved events)
        var refused = await engine.Users.Ask<ProfileFlushed>(new FlushProfile("mover", last.Incarnation, last.Version + 1, 2), timeout);

        // Then the first is durable and the second is not: the checkpoint fails and the stream replays
        Assert.True(vouched.Succeeded, vouched.Error);
        Assert.False(refused.Succeeded);
        Assert.Contains("loaded version 3", refused.Error);
    }

    [Fact]
    public async Task User_entity_applies_the_configured_profile_rules()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Profiles.AllowedLateness = TimeSpan.FromMinutes(5);
            o.Profiles.PiiSalt = "engine-test-salt";
        }));
        var identify = EventParser.ParseAccepted(
            """{"event_id":"i1","type":"identify","user_id":"rules-user","timestamp":"2026-11-01T12:00:00Z","traits":{"email":"a@b.example"}}"""u8.ToArray()).Event!;

        // Given an identify with an email, a page view at minute 60 and one at minute 0 (later than the 5-minute lateness)
        foreach (var (e, i) in new[] { identify, PageView("p1", "rules-user", 60), PageView("p2", "rules-user", 0) }.Select((e, i) => (e, i)))
            await engine.Users.Ask<EventApplied>(new ApplyEvent("rules-user", e, null, i), TimeSpan.FromSeconds(10));

        // Then the email is stored hashed with the configured salt, and the late view counts only in the lifetime counters
        var profile = (await engine.GetProfileAsync("rules-user", TimeSpan.FromSeconds(10)))!;
        Assert.Equal(PiiHash.Of("a@b.example", "engine-test-salt"), profile.Traits["email"]);
        Assert.Equal(2, profile.CountOf(EventType.PageView));
        Assert.Equal(1, profile.Windows.ValuesFor(TimeSpan.FromDays(1), TestEvents.BaseTime.AddMinutes(60)).CountOf(EventType.PageView));
        Assert.Equal(1, profile.Windows.TooLateEvents);
    }
}
