using Akka.Actor;
using Akka.TestKit.Xunit2;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>One user entity's decisions, on an in-memory store (see <see cref="UserEntityHarness"/>).</summary>
public sealed class UserEntityTests() : TestKit(UserEntityHarness.Config)
{
    private static UserEvent PageView(string id, string user, int minute = 0) => EventParser.ParseAccepted(TestEvents.PageView(id, user, minute)).Event!;

    private static EventPosition At(long offset, int partition = 0) => new(partition, offset, 1);

    [Fact]
    public async Task A_user_stopped_with_unsaved_events_saves_them_first_and_its_next_life_loads_the_same()
    {
        var user = new UserEntityHarness(this, "idle-user");

        // Given events applied in memory only (no checkpoint asked for them)
        for (var i = 0; i < 3; i++) Assert.Equal(ApplyOutcome.Applied, (await user.ApplyAsync(PageView($"p{i}", "idle-user"), At(i))).Outcome);
        Assert.Null(await user.StoredAsync());

        // When its shard stops it (passivation or hand-off), Then it saves first
        await user.StopAsync();
        Assert.Equal(3, (await user.StoredAsync())!.EventsApplied);

        // And its next life loads exactly that state, replays still recognised
        user.StartNextLife();
        Assert.Equal(3, (await user.ReadAsync()).Profile!.EventsApplied);
        Assert.Equal(ApplyOutcome.ReplayedPosition, (await user.ApplyAsync(PageView("p2", "idle-user"), At(2))).Outcome);
    }

    [Fact]
    public async Task A_batch_with_a_failing_event_in_the_middle_is_answered_once_and_the_failure_costs_only_that_event()
    {
        var user = new UserEntityHarness(this, "batched", configure: settings => settings with
        {
            Reduce = (profile, e, position, rules, segments) => e.EventId == "b2"
                ? throw new InvalidOperationException("the fold refused this event")
                : ProfileReducer.Apply(profile, e, position, rules, segments),
        });

        // When three events arrive as one batch and the middle one throws
        var acks = await user.ApplyBatchAsync(
            (PageView("b1", "batched"), At(10), -1), (PageView("b2", "batched", 1), At(11), 10), (PageView("b3", "batched", 2), At(12), 11));

        // Then one answer carries an outcome per event, in order, and only the failing one is dead-lettered
        Assert.Equal(new[] { ApplyOutcome.Applied, ApplyOutcome.Failed, ApplyOutcome.Applied }, acks.Select(a => a.Outcome));
        var (failed, letter) = Assert.Single(user.DeadLetters);
        Assert.Equal("b2", failed.EventId);
        Assert.Equal(DeadLetter.ApplyFailed, letter.Code);
        Assert.Equal(2, (await user.ReadAsync()).Profile!.EventsApplied);

        // And the batch moved the replay mark past all three: a replay of the first is recognised, a new event applies
        var replay = await user.ApplyBatchAsync((PageView("b1", "batched"), At(10), -1), (PageView("b4", "batched", 3), At(13), 12));
        Assert.Equal(new[] { ApplyOutcome.ReplayedPosition, ApplyOutcome.Applied }, replay.Select(a => a.Outcome));
        Assert.Equal(3, (await user.ReadAsync()).Profile!.EventsApplied);
    }

    [Fact]
    public async Task A_batch_after_a_lost_event_is_refused_from_the_event_that_names_it()
    {
        var user = new UserEntityHarness(this, "batch-gap");
        Assert.Equal(ApplyOutcome.Applied, (await user.ApplyAsync(PageView("g1", "batch-gap"), At(1))).Outcome);

        // When a batch names offset 5 as the predecessor of its second event, and 5 never arrived
        var acks = await user.ApplyBatchAsync((PageView("g3", "batch-gap", 1), At(3), 1), (PageView("g7", "batch-gap", 2), At(7), 5));

        // Then the first applies and the second is refused, so the ingest replays instead of leaving a hole
        Assert.Equal(new[] { ApplyOutcome.Applied, ApplyOutcome.MissingPrevious }, acks.Select(a => a.Outcome));
        Assert.Equal(2, (await user.ReadAsync()).Profile!.EventsApplied);
    }

    [Fact]
    public async Task An_event_whose_predecessor_never_arrived_is_refused_so_no_hole_is_left()
    {
        var user = new UserEntityHarness(this, "holey");
        Task<EventApplied> Send(string id, long offset, long previous) => user.ApplyAsync(PageView(id, "holey"), At(offset, partition: 2), previous);

        // Given the user's event at offset 5 applied, and the one at offset 7 lost on the way
        Assert.Equal(ApplyOutcome.Applied, (await Send("h5", 5, -1)).Outcome);

        // When the event at offset 9 arrives naming 7 as its predecessor, Then it is refused and nothing changes
        Assert.Equal(ApplyOutcome.MissingPrevious, (await Send("h9", 9, 7)).Outcome);
        Assert.Equal(1, (await user.ReadAsync()).Profile!.EventsApplied);

        // And once 7 is replayed (naming 5), 9 applies: both count, in order, exactly once
        Assert.Equal(ApplyOutcome.Applied, (await Send("h7", 7, 5)).Outcome);
        Assert.Equal(ApplyOutcome.Applied, (await Send("h9", 9, 7)).Outcome);
        Assert.Equal(3, (await user.ReadAsync()).Profile!.EventsApplied);
    }

    [Fact]
    public async Task A_checkpoint_trusts_a_new_incarnation_only_for_versions_its_predecessor_saved()
    {
        var user = new UserEntityHarness(this, "mover");

        // Given three events applied by one life of the entity, which then stops (saving first)
        EventApplied last = null!;
        for (var i = 0; i < 3; i++) last = await user.ApplyAsync(PageView($"m{i}", "mover"), At(i));
        Assert.Equal(3, last.Version);
        await user.StopAsync();
        user.StartNextLife();

        // When a checkpoint asks the next life (it loads version 3) to vouch for what the first life applied
        var vouched = await user.FlushAsync(last, checkpointId: 1);
        // ...and for a version it never loaded (as after a crash that lost unsaved events)
        var refused = await user.FlushAsync(last with { Version = last.Version + 1 }, checkpointId: 2);

        // Then the first is durable and the second is not: the checkpoint fails and the stream replays
        Assert.True(vouched.Succeeded, vouched.Error);
        Assert.False(refused.Succeeded);
        Assert.Contains("loaded version 3", refused.Error);
    }

    [Fact]
    public async Task User_entity_applies_the_configured_profile_rules()
    {
        var rules = new ProfilesOptions { AllowedLateness = TimeSpan.FromMinutes(5), PiiSalt = "engine-test-salt" }.ToRules();
        var user = new UserEntityHarness(this, "rules-user", configure: s => s with { ProfileRules = rules });
        var identify = EventParser.ParseAccepted(
            """{"event_id":"i1","type":"identify","user_id":"rules-user","timestamp":"2026-11-01T12:00:00Z","traits":{"email":"a@b.example"}}"""u8.ToArray()).Event!;

        // Given an identify with an email, a page view at minute 60 and one at minute 0 (later than the 5-minute lateness)
        foreach (var e in new[] { identify, PageView("p1", "rules-user", 60), PageView("p2", "rules-user", 0) })
            await user.ApplyAsync(e);

        // Then the email is stored hashed with the configured salt, and the late view counts only in the lifetime counters
        var profile = (await user.ReadAsync()).Profile!;
        Assert.Equal(PiiHash.Of("a@b.example", "engine-test-salt"), profile.Traits["email"]);
        Assert.Equal(2, profile.CountOf(EventType.PageView));
        Assert.Equal(1, profile.Windows.ValuesFor(TimeSpan.FromDays(1), TestEvents.BaseTime.AddMinutes(60)).CountOf(EventType.PageView));
        Assert.Equal(1, profile.Windows.TooLateEvents);
    }

    [Fact]
    public async Task A_save_that_lost_to_another_life_of_the_entity_is_not_reported_durable_and_the_entity_reloads()
    {
        var user = new UserEntityHarness(this, "alice");
        var first = await user.ApplyAsync(PageView("e1", "alice"), At(0));
        Assert.True((await user.FlushAsync(first, checkpointId: 1)).Succeeded);

        // Given another life of alice (on another node, after a shard move) saved e2 and e3 over the same version
        var other = (await user.StoredAsync())!;
        other = ProfileReducer.Apply(other, PageView("e2", "alice", 1), At(1)).Profile;
        other = ProfileReducer.Apply(other, PageView("e3", "alice", 2), At(2)).Profile;
        var written = await user.Store.SaveAsync([new StoredProfile("alice", ProfileCodec.Encode(other), first.Version + 5) { BaseVersion = first.Version }]);
        Assert.Empty(written.Stale);

        // When this life applies e4 and is asked to make it durable
        var fourth = await user.ApplyAsync(PageView("e4", "alice", 3), At(3));
        var flushed = await user.FlushAsync(fourth, checkpointId: 2);

        // Then it does not claim e4 is durable, the store keeps the other life's write, and the reloaded entity takes e4 on top
        Assert.False(flushed.Succeeded);
        Assert.Equal(3, (await user.StoredAsync())!.EventsApplied);
        Assert.Equal(3, (await user.ReadAsync()).Profile!.EventsApplied);
        var replayed = await user.ApplyAsync(PageView("e4", "alice", 3), At(3));
        Assert.Equal(ApplyOutcome.Applied, replayed.Outcome);
        Assert.True((await user.FlushAsync(replayed, checkpointId: 3)).Succeeded);
        Assert.Equal(4, (await user.StoredAsync())!.EventsApplied);
    }

    [Fact]
    public async Task A_row_the_store_refuses_isolates_the_user_and_every_event_of_it_is_dead_lettered_with_the_reason()
    {
        var user = new UserEntityHarness(this, "poison");
        user.Store.RefuseRows(id => id == "poison", "poison row");

        // Given an applied event whose save the store refuses for the row's data
        var applied = await user.ApplyAsync(PageView("p0", "poison"), At(0));
        var flushed = await user.FlushAsync(applied, checkpointId: 1);

        // Then the checkpoint fails, and the entity isolates itself under a new incarnation, so the event is replayed
        Assert.False(flushed.Succeeded);
        Assert.Contains("poison row", flushed.Error);
        Assert.Contains("poison row", (await user.ReadAsync()).Isolated);
        var isolated = Assert.Single(user.Isolated.List());
        Assert.Equal(("poison", IsolationKind.Unwritable), (isolated.UserId, isolated.Kind));
        Assert.Contains("poison row", isolated.Reason);
        Assert.False((await user.FlushAsync(applied, checkpointId: 2)).Succeeded);

        // And the replayed event, and every later one, is dead-lettered with the reason; nothing of it is stored
        await user.ApplyAsync(PageView("p0", "poison"), At(0));
        await user.ApplyAsync(PageView("p1", "poison", 1), At(1));
        Assert.Equal(["p0", "p1"], user.DeadLetters.Select(d => d.Event.EventId));
        Assert.All(user.DeadLetters, d => Assert.Equal(DeadLetter.ProfileIsolated, d.Letter.Code));
        Assert.All(user.DeadLetters, d => Assert.Contains("poison row", d.Letter.Detail));
        Assert.Null(await user.StoredAsync());
    }

    [Fact]
    public async Task A_save_the_store_cannot_make_fails_its_checkpoint_and_the_next_checkpoint_saves_the_same_events()
    {
        var user = new UserEntityHarness(this, "bob");
        var applied = await user.ApplyAsync(PageView("b0", "bob"), At(0));

        // Given the store cannot be reached for one save
        user.Store.FailNextSaves(1, "connection refused");

        // When a checkpoint asks, Then it fails with the store's error and nothing is written
        var failed = await user.FlushAsync(applied, checkpointId: 1);
        Assert.False(failed.Succeeded);
        Assert.Contains("connection refused", failed.Error);
        Assert.Null(await user.StoredAsync());

        // And the next checkpoint saves the same events, in the same life
        var retried = await user.FlushAsync(applied, checkpointId: 2);
        Assert.True(retried.Succeeded, retried.Error);
        Assert.Equal(1, (await user.StoredAsync())!.EventsApplied);
    }

    [Fact]
    public async Task A_checkpoint_arriving_while_a_save_runs_waits_for_it_and_gets_a_save_of_its_own()
    {
        var user = new UserEntityHarness(this, "carol");
        var hold = user.Store.HoldSaves();

        // Given a checkpoint's save of the first event held in the store
        var first = await user.ApplyAsync(PageView("c0", "carol"), At(0));
        var firstFlush = user.FlushAsync(first, checkpointId: 1);
        await hold.Reached;

        // When a second event is applied meanwhile and the next checkpoint asks for it
        var second = await user.ApplyAsync(PageView("c1", "carol", 1), At(1));
        var secondFlush = user.FlushAsync(second, checkpointId: 2);
        Assert.False(firstFlush.IsCompleted);

        // Then once the store lets the save through, both are answered, and the store holds both events
        hold.Dispose();
        Assert.True((await firstFlush).Succeeded);
        Assert.True((await secondFlush).Succeeded);
        Assert.Equal(2, (await user.StoredAsync())!.EventsApplied);
    }

    [Fact]
    public async Task An_erased_user_drops_its_events_and_its_next_life_starts_in_quarantine()
    {
        var user = new UserEntityHarness(this, "dave");
        var applied = await user.ApplyAsync(PageView("d0", "dave"), At(0));
        Assert.True((await user.FlushAsync(applied, checkpointId: 1)).Succeeded);

        // When the user is erased
        var erased = await user.Entity.Ask<UserErased>(new EraseUser("dave"), UserEntityHarness.Patience);

        // Then the stored profile is gone, and later events are dropped, neither applied nor dead-lettered
        Assert.Equal(1, erased.ErasedIds);
        Assert.Null(await user.StoredAsync());
        Assert.Equal(ApplyOutcome.Quarantined, (await user.ApplyAsync(PageView("d1", "dave", 1), At(1))).Outcome);

        // And the next life of the entity loads the quarantine, not a profile
        await user.StopAsync();
        user.StartNextLife();
        Assert.Equal(ApplyOutcome.Quarantined, (await user.ApplyAsync(PageView("d2", "dave", 2), At(2))).Outcome);
        Assert.Null((await user.ReadAsync()).Profile);
        Assert.Empty(user.DeadLetters);
        Assert.Equal(erased.QuarantinedUntil, (await user.Store.LoadQuarantineAsync(["dave"], DateTimeOffset.UtcNow))["dave"]);
    }
}
