using System.Diagnostics.Metrics;
using System.Text.Json;
using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Tests.Observability;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>Identity stitching, unmerge, erasure and quarantine on the real engine (sharded entities, real store).
/// It counts process-wide instruments, so it runs alone.</summary>
[Collection(nameof(ProcessWideTelemetry))]
public sealed class IdentityProtocolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(15);

    private static byte[] AnonView(string eventId, string anonymousId, int minute = 0) => TestEvents.AnonymousView(eventId, anonymousId, minute);

    private static byte[] Identify(string eventId, string userId, string anonymousId, int minute = 0) => TestEvents.Identify(eventId, userId, anonymousId, minute);

    private static byte[] Alias(string eventId, string userId, string previousId) => TestEvents.Alias(eventId, userId, previousId);

    private static UserEvent Parse(byte[] json) => EventParser.ParseAccepted(json).Event!;

    private static async Task<ApplyOutcome> Apply(DmpEngine engine, string entity, byte[] json, EventPosition? position = null) =>
        (await engine.Users.Ask<EventApplied>(new ApplyEvent(entity, Parse(json), position, 1), Ask)).Outcome;

    private static Task<IdentityReply> Identity(DmpEngine engine, string id) => engine.Users.Ask<IdentityReply>(new GetIdentity(id), Ask);

    private static async Task<StoredProfile?> Stored(DmpEngine engine, string id) =>
        (await engine.Store.LoadAsync([id])).TryGetValue(id, out var row) ? row : null;

    private static DmpOptions NoIngest(EngineHarness harness) => harness.Options(o => o.Ingest.Enabled = false);

    [Fact]
    public async Task Anonymous_events_before_login_end_up_in_the_known_users_profile_and_the_old_id_answers_with_it()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));

        // Given three anonymous product views and one event of the known user
        for (var i = 0; i < 3; i++) await Apply(engine, "anon-1", AnonView($"a{i}", "anon-1", i));
        await Apply(engine, "alice", TestEvents.PageView("u0", "alice"));

        // When the user logs in (identify links the anonymous id)
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "alice", Identify("login", "alice", "anon-1", 5)));

        // Then alice holds everything, the old id reads as alice, and the store has the merge
        var alice = await engine.GetProfileAsync("alice", Ask);
        Assert.Equal(5, alice!.EventsApplied);
        Assert.Equal(3, alice.CountOf(EventType.ProductView));
        Assert.Equal("alice", (await engine.GetProfileAsync("anon-1", Ask))!.Id);
        var identity = await Identity(engine, "anon-1");
        Assert.Equal("alice", identity.UserId);
        Assert.Equal(["anon-1"], identity.Identity.Merged.Select(m => m.Id));
        var merges = await engine.Store.LoadMergesAsync(["alice"]);
        var record = Assert.Single(merges);
        Assert.Equal(("alice", "anon-1", "login"), (record.SurvivorId, record.AbsorbedId, record.TriggerEventId));
        var before = IdentityCodec.DecodeMerge(record.Payload);
        Assert.Equal((2L, 3L), (before.Survivor.Profile.EventsApplied, before.Absorbed.Profile.EventsApplied));
        Assert.Equal("alice", IdentityCodec.Decode((await Stored(engine, "anon-1"))!.Identity).MergedInto);
        Assert.Equal(5, ProfileCodec.Decode((await Stored(engine, "alice"))!.State).EventsApplied);

        // And a later anonymous event reaches alice, exactly once even when repeated
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "anon-1", AnonView("a9", "anon-1", 9), new EventPosition(1, 40, 1)));
        // (until the survivor has saved it, the survivor recognises the repeat by its id; the tombstone's marks come after)
        Assert.Equal(ApplyOutcome.DuplicateEventId, await Apply(engine, "anon-1", AnonView("a9", "anon-1", 9), new EventPosition(1, 40, 1)));
        Assert.Equal(ApplyOutcome.DuplicateEventId, await Apply(engine, "anon-1", AnonView("a9", "anon-1", 9), new EventPosition(1, 41, 1)));
        Assert.Equal(6, (await engine.GetProfileAsync("alice", Ask))!.EventsApplied);
    }

    [Fact]
    public async Task Identify_arriving_before_the_anonymous_events_still_gathers_them_in_the_users_profile()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));

        await Apply(engine, "alice", Identify("login", "alice", "anon-2"));
        for (var i = 0; i < 4; i++) Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "anon-2", AnonView($"a{i}", "anon-2", i)));

        Assert.Equal(5, (await engine.GetProfileAsync("alice", Ask))!.EventsApplied);
        Assert.Single(await engine.Store.LoadMergesAsync(["anon-2"]));
    }

    [Fact]
    public async Task A_merge_happens_once_however_often_the_identify_is_replayed_or_repeated()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        await Apply(engine, "anon-3", AnonView("a0", "anon-3"));

        await Apply(engine, "alice", Identify("login", "alice", "anon-3"), new EventPosition(0, 7, 1));
        Assert.Equal(ApplyOutcome.ReplayedPosition, await Apply(engine, "alice", Identify("login", "alice", "anon-3"), new EventPosition(0, 7, 1)));
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "alice", Identify("login-again", "alice", "anon-3"), new EventPosition(0, 8, 1)));

        Assert.Single(await engine.Store.LoadMergesAsync(["alice"]));
        Assert.Equal(3, (await engine.GetProfileAsync("alice", Ask))!.EventsApplied);
    }

    [Fact]
    public async Task A_merge_refused_because_the_other_profile_was_busy_is_tried_again_and_links_both_once_it_is_free()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Identity.MaxUserIdsPerProfile = 2;
        }));
        await Apply(engine, "anon-x", AnonView("x0", "anon-x"));
        await Apply(engine, "carol", TestEvents.PageView("c0", "carol"));
        var retries = 0L;
        using var listener = Metrics.Listen("dmp.identity.merge_retries", n => Interlocked.Add(ref retries, n));

        // Given carol coordinating a merge that cannot finish yet: anon-x is held by another lock (this test's)
        await engine.Users.Ask<EntityLocked>(new LockForMerge("anon-x", "held-by-test", "tester"), Ask);
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "carol", Identify("login-c", "carol", "anon-x")));

        // When dave's login names carol, who is busy, and carol becomes free only after dave was turned away
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "dave", Identify("login-d", "dave", "carol")));
        await Eventually.True(() => Interlocked.Read(ref retries) >= 1, Patience, "dave to be turned away as busy and retry");
        engine.Users.Tell(new ReleaseLock("anon-x", "held-by-test", Reload: false));

        // Then dave's retry links carol (and anon-x with her), nothing is refused, and every event counts once
        await Eventually.True(async () => (await Identity(engine, "dave")).Identity.Holds("carol"), Patience, "dave to absorb carol");
        var dave = await Identity(engine, "dave");
        Assert.True(dave.Identity.Holds("anon-x"));
        Assert.Empty(dave.Identity.Refusals);
        Assert.Equal(4, dave.Profile!.EventsApplied);
        Assert.Equal(2, (await engine.Store.LoadMergesAsync(["carol", "dave"])).Count);
    }

    [Fact]
    public async Task A_placeholder_anonymous_id_is_refused_counted_and_reported_on_the_profile_not_merged()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        await Apply(engine, "null", AnonView("a0", "null"));
        var refused = 0L;
        using var listener = Metrics.Listen("dmp.identity.merges_refused", n => Interlocked.Add(ref refused, n));

        await Apply(engine, "alice", Identify("login", "alice", "null"));

        var identity = await Identity(engine, "alice");
        var refusal = Assert.Single(identity.Identity.Refusals);
        Assert.Equal((MergeRefusalReason.BlockedId, "login"), (refusal.Reason, refusal.TriggerEventId));
        Assert.Empty(identity.Identity.Merged);
        Assert.Equal(1, (await engine.GetProfileAsync("null", Ask))!.EventsApplied);
        Assert.Equal(1, Interlocked.Read(ref refused));
        Assert.Empty(await engine.Store.LoadMergesAsync(["alice", "null"]));
    }

    [Fact]
    public async Task Aliasing_one_known_user_into_another_is_refused_by_the_one_user_id_limit()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        await Apply(engine, "alice", TestEvents.PageView("a0", "alice"));
        await Apply(engine, "bob", TestEvents.PageView("b0", "bob"));

        await Apply(engine, "bob", Alias("alias-1", "bob", "alice"));

        Assert.Equal(MergeRefusalReason.TooManyUserIds, Assert.Single((await Identity(engine, "bob")).Identity.Refusals).Reason);
        Assert.Equal(1, (await engine.GetProfileAsync("alice", Ask))!.EventsApplied);
        Assert.Equal("alice", (await engine.GetProfileAsync("alice", Ask))!.Id);
    }

    [Fact]
    public async Task An_anonymous_id_already_merged_into_one_user_is_not_taken_by_another()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        await Apply(engine, "alice", Identify("login-a", "alice", "shared-device"));

        await Apply(engine, "bob", Identify("login-b", "bob", "shared-device"));

        Assert.Equal(MergeRefusalReason.MergedElsewhere, Assert.Single((await Identity(engine, "bob")).Identity.Refusals).Reason);
        Assert.Equal("alice", (await Identity(engine, "shared-device")).UserId);
    }

    [Fact]
    public async Task Unmerge_restores_both_profiles_and_keeps_what_arrived_after_the_merge_on_the_survivor()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        for (var i = 0; i < 3; i++) await Apply(engine, "anon-4", AnonView($"a{i}", "anon-4", i));
        await Apply(engine, "alice", TestEvents.PageView("u0", "alice"));
        await Apply(engine, "alice", Identify("login", "alice", "anon-4", 5));
        await Apply(engine, "alice", TestEvents.Purchase("u1", "alice", 10m, 6));

        var result = await engine.Users.Ask<UnmergeResult>(new UnmergeUser("alice", "anon-4"), Ask);

        Assert.Null(result.Error);
        var alice = (await engine.GetProfileAsync("alice", Ask))!;
        Assert.Equal((3L, 0L, 1), (alice.EventsApplied, alice.CountOf(EventType.ProductView), alice.Orders));
        var anon = (await engine.GetProfileAsync("anon-4", Ask))!;
        Assert.Equal(("anon-4", 3L), (anon.Id, anon.EventsApplied));
        Assert.Empty((await Identity(engine, "alice")).Identity.Merged);
        Assert.NotNull((await engine.Store.LoadMergeAsync(result.MergeId!))!.UndoneAt);
        // Events for the old id stay with it again; replays of what it had are still recognised.
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "anon-4", AnonView("a5", "anon-4", 9)));
        Assert.Equal(ApplyOutcome.DuplicateEventId, await Apply(engine, "anon-4", AnonView("a1", "anon-4", 1)));
        Assert.Equal(4, (await engine.GetProfileAsync("anon-4", Ask))!.EventsApplied);
        Assert.Equal("not merged into this profile", (await engine.Users.Ask<UnmergeResult>(new UnmergeUser("alice", "anon-4"), Ask)).Error);
    }

    [Fact]
    public async Task The_event_that_caused_an_undone_merge_arriving_again_does_not_redo_it_or_restart_the_entity()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(NoIngest(harness));
        await Apply(engine, "anon-8", AnonView("a0", "anon-8"));
        await Apply(engine, "alice", Identify("login", "alice", "anon-8", 1));
        Assert.Null((await engine.Users.Ask<UnmergeResult>(new UnmergeUser("alice", "anon-8"), Ask)).Error);
        // Enough later events that the login's id has left alice's window of recent ids
        for (var i = 0; i < DedupeState.Capacity + 32; i++) await Apply(engine, "alice", TestEvents.PageView($"later-{i}", "alice"));
        var before = await engine.Users.Ask<EventApplied>(new ApplyEvent("alice", Parse(TestEvents.PageView("probe-1", "alice")), null, 1), Ask);

        // When the producer sends the login again (same event id)
        Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "alice", Identify("login", "alice", "anon-8", 1)));

        // Then the merge stays undone, refused as such, and alice did not restart over it
        await Eventually.True(async () => (await Identity(engine, "alice")).Identity.Refusals.Any(r => r.Reason == MergeRefusalReason.Unmerged),
            Patience, "the merge to be refused as unmerged");
        Assert.Empty((await Identity(engine, "alice")).Identity.Merged);
        Assert.Null((await Identity(engine, "anon-8")).Identity.MergedInto);
        var after = await engine.Users.Ask<EventApplied>(new ApplyEvent("alice", Parse(TestEvents.PageView("probe-2", "alice")), null, 1), Ask);
        Assert.Equal(before.Incarnation, after.Incarnation);
    }

    [Fact]
    public async Task A_merge_whose_store_transaction_outlasts_the_merge_timeout_is_waited_for_not_abandoned_while_it_may_commit()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Identity.MergeTimeout = TimeSpan.FromSeconds(1);
        }));
        await Apply(engine, "anon-9", AnonView("a0", "anon-9"));
        var probe = await engine.Users.Ask<EventApplied>(new ApplyEvent("alice", Parse(TestEvents.PageView("u0", "alice")), null, 1), Ask);

        // Given another connection holds the database's write lock for longer than the merge timeout
        await using var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(harness.DataDirectory, "profiles.db")};Pooling=false");
        await writer.OpenAsync();
        await using (var begin = writer.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }
        await Apply(engine, "alice", Identify("login", "alice", "anon-9", 1));
        await Task.Delay(TimeSpan.FromMilliseconds(1400)); // past the timeout, short of the locked entity's own (twice it)
        await writer.CloseAsync(); // the transaction can now commit

        // Then the merge commits, and both entities hold what the store holds, without restarting
        await Eventually.True(async () => (await Identity(engine, "alice")).Identity.Holds("anon-9"), Patience, "the merge to commit");
        Assert.Equal("alice", IdentityCodec.Decode((await Stored(engine, "anon-9"))!.Identity).MergedInto);
        var alice = await engine.GetProfileAsync("alice", Ask);
        Assert.Equal(3, alice!.EventsApplied);
        Assert.Equal(ProfileCodec.Decode((await Stored(engine, "alice"))!.State).EventsApplied, alice.EventsApplied);
        var after = await engine.Users.Ask<EventApplied>(new ApplyEvent("alice", Parse(TestEvents.PageView("u1", "alice")), null, 1), Ask);
        Assert.Equal(probe.Incarnation, after.Incarnation);
    }

    [Fact]
    public Task Erasure_removes_the_user_and_merged_ids_and_quarantine_outlives_a_restart() => EraseAndQuarantine(new EngineHarness());

    [PostgresFact]
    public async Task On_postgresql_erasure_removes_the_user_and_merged_ids_and_quarantine_outlives_a_restart() =>
        await EraseAndQuarantine(new EngineHarness { PostgresConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() });

    private static async Task EraseAndQuarantine(EngineHarness created)
    {
        await using var harness = created;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var options = NoIngest(harness);
        var quarantined = 0L;
        using var listener = Metrics.Listen("dmp.events.quarantined", n => Interlocked.Add(ref quarantined, n));
        await using (var engine = await DmpEngine.StartAsync(options, harness.Broker.BootstrapServers, false, harness.Logs, clock))
        {
            await Apply(engine, "anon-5", AnonView("a0", "anon-5"));
            await Apply(engine, "alice", Identify("login", "alice", "anon-5"));

            var erased = await engine.Users.Ask<UserErased>(new EraseUser("alice"), Ask);

            Assert.Equal(2, erased.ErasedIds);
            Assert.Null(await engine.GetProfileAsync("alice", Ask));
            Assert.Null(await engine.GetProfileAsync("anon-5", Ask));
            Assert.Equal(0, await engine.Store.CountAsync());
            Assert.Empty(await engine.Store.LoadMergesAsync(["alice", "anon-5"]));
            Assert.Equal(ApplyOutcome.Quarantined, await Apply(engine, "alice", TestEvents.PageView("late-1", "alice")));
            Assert.Equal(ApplyOutcome.Quarantined, await Apply(engine, "anon-5", AnonView("late-2", "anon-5")));
            Assert.Equal(0, (await engine.Users.Ask<UserErased>(new EraseUser("alice"), Ask)).ErasedIds);
        }

        // After a restart the quarantine still holds; when it ends the id may start afresh.
        await using (var engine = await DmpEngine.StartAsync(options, harness.Broker.BootstrapServers, false, harness.Logs, clock))
        {
            Assert.Equal(ApplyOutcome.Quarantined, await Apply(engine, "anon-5", AnonView("late-3", "anon-5")));
            Assert.Equal(0, await engine.Store.CountAsync());
            Assert.Equal(3, Interlocked.Read(ref quarantined));

            clock.Now += options.Privacy.QuarantinePeriod;
            Assert.Equal(ApplyOutcome.Applied, await Apply(engine, "alice", TestEvents.PageView("new-1", "alice")));
            Assert.Equal(1, (await engine.GetProfileAsync("alice", Ask))!.EventsApplied);
        }
    }

    [Fact]
    public async Task Events_racing_the_merge_through_kafka_are_all_counted_once_in_the_survivor()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync();

        // Anonymous events before, during and after the identify, on the anonymous id's partition and the user's
        for (var i = 0; i < 60; i++)
        {
            harness.Produce("anon-6", AnonView($"a{i}", "anon-6", i));
            if (i % 10 == 0) harness.Produce("alice", TestEvents.PageView($"u{i}", "alice", i));
            if (i == 30) harness.Produce("alice", Identify("login", "alice", "anon-6", i));
        }
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        var alice = (await engine.GetProfileAsync("alice", Ask))!;
        Assert.Equal(60 + 6 + 1, alice.EventsApplied);
        Assert.Equal(60, alice.CountOf(EventType.ProductView));
        Assert.Equal(alice.EventsApplied, ProfileCodec.Decode((await Stored(engine, "alice"))!.State).EventsApplied);
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_a_merge_leaves_nothing_half_merged_and_the_merge_completes_after_restart()
    {
        await using var harness = new EngineHarness();
        var database = Path.Combine(harness.DataDirectory, "profiles.db");
        var failures = 0L;
        using var listener = Metrics.Listen("dmp.identity.merge_failures", n => Interlocked.Add(ref failures, n));
        var first = await harness.StartEngineAsync(extra: EngineHarness.NoGracefulStop);
        for (var i = 0; i < 5; i++) harness.Produce("anon-7", AnonView($"a{i}", "anon-7", i));
        harness.Produce("alice", TestEvents.PageView("u0", "alice"));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(first, 4);

        // Given a database that fails the merge transaction after both profile rows are written, before the record
        await Sql(database, "CREATE TRIGGER fail_merge BEFORE INSERT ON merges BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
        harness.Produce("alice", Identify("login", "alice", "anon-7", 10));
        harness.Flush();
        await Eventually.True(() => Interlocked.Read(ref failures) >= 1, Patience, "the merge transaction to fail");

        // Then nothing of it is stored: no tombstone, no merged survivor, no record
        Assert.Null(IdentityCodec.Decode((await Stored(first, "anon-7"))!.Identity).MergedInto);
        Assert.Empty(IdentityCodec.Decode((await Stored(first, "alice"))?.Identity).Merged);
        Assert.Empty(await first.Store.LoadMergesAsync(["alice", "anon-7"]));

        // When the node dies there and comes back with a healthy database
        await EngineHarness.CrashAsync(first);
        await Sql(database, "DROP TRIGGER fail_merge;");
        harness.Produce("anon-7", AnonView("a-after", "anon-7", 20));
        harness.Flush();
        await using var second = await harness.StartEngineAsync();

        // Then the replayed identify merges exactly once and every event counts once
        await harness.WaitUntilCommittedToEndAsync(second, 4);
        var alice = (await second.GetProfileAsync("alice", Ask))!;
        Assert.Equal(5 + 1 + 1 + 1, alice.EventsApplied);
        Assert.Single(await second.Store.LoadMergesAsync(["alice"]));
        Assert.Equal("alice", IdentityCodec.Decode((await Stored(second, "anon-7"))!.Identity).MergedInto);
    }

    private static async Task Sql(string database, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
