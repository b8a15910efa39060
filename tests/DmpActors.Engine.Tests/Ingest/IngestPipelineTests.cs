using System.Text;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Ingest;

public sealed class IngestPipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Expected lifetime counters per user, computed while producing.</summary>
    private sealed class Truth
    {
        public readonly Dictionary<string, (int Views, int Purchases, decimal Revenue)> Users = new();
        public int Records;

        public void PageView(EngineHarness h, string user, string eventId)
        {
            h.Produce(user, TestEvents.PageView(eventId, user));
            var t = Users.GetValueOrDefault(user);
            Users[user] = (t.Views + 1, t.Purchases, t.Revenue);
            Records++;
        }

        public void Purchase(EngineHarness h, string user, string eventId, decimal revenue)
        {
            h.Produce(user, TestEvents.Purchase(eventId, user, revenue));
            var t = Users.GetValueOrDefault(user);
            Users[user] = (t.Views, t.Purchases + 1, t.Revenue + revenue);
            Records++;
        }
    }

    private static void ProduceWave(EngineHarness harness, Truth truth, int wave, int users, int viewsPerUser)
    {
        for (var v = 0; v < viewsPerUser; v++)
            for (var u = 0; u < users; u++)
                truth.PageView(harness, $"user-{u}", $"w{wave}-u{u}-v{v}");
        for (var u = 0; u < users; u += 3)
            truth.Purchase(harness, $"user-{u}", $"w{wave}-u{u}-p", 10m + u);
        harness.Flush();
    }

    private static async Task AssertProfilesMatch(DmpEngine engine, Truth truth)
    {
        var durable = await engine.Store.LoadAsync(truth.Users.Keys.ToList());
        foreach (var (user, expected) in truth.Users)
        {
            var live = await engine.GetProfileAsync(user, TimeSpan.FromSeconds(10));
            Assert.NotNull(live);
            Assert.Equal(expected.Views, live!.CountOf(EventType.PageView));
            Assert.Equal(expected.Purchases, live.Orders);
            Assert.Equal(expected.Revenue, live.TotalRevenue);
            Assert.Equal(expected.Views + expected.Purchases, live.EventsApplied);
            var stored = ProfileCodec.Decode(durable[user].State);
            Assert.Equal(live.EventsApplied, stored.EventsApplied);
        }
    }

    [Fact]
    public Task Every_event_is_applied_once_and_offsets_are_committed_only_behind_durable_state() =>
        EveryEventOnce(new EngineHarness());

    [PostgresFact]
    public async Task On_postgresql_every_event_is_applied_once_and_offsets_are_committed_only_behind_durable_state() =>
        await EveryEventOnce(new EngineHarness { PostgresConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() });

    private static async Task EveryEventOnce(EngineHarness created)
    {
        await using var harness = created;
        await using var engine = await harness.StartEngineAsync();
        var truth = new Truth();

        ProduceWave(harness, truth, wave: 1, users: 60, viewsPerUser: 5);
        // Producer duplicates: the same event ids again, at new offsets. They must count once.
        for (var u = 0; u < 60; u++) harness.Produce($"user-{u}", TestEvents.PageView($"w1-u{u}-v0", $"user-{u}"));
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        await AssertProfilesMatch(engine, truth);
        var kafkaCommitted = harness.Committed("dmp-ingest", 4);
        Assert.Equal(harness.EndOffsets(4), kafkaCommitted);
    }

    [Fact]
    public async Task Invalid_events_go_to_the_dead_letter_topic_with_their_reason_and_the_stream_keeps_going()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync();
        var truth = new Truth();
        var invalid = TestEvents.Invalid(DateTimeOffset.UtcNow);

        truth.PageView(harness, "before", "b1");
        foreach (var (_, bytes) in invalid) harness.Produce("bad", bytes);
        await harness.ProduceAsync("bad", value: null); // a tombstone on the events topic
        truth.PageView(harness, "after", "a1");
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        await AssertProfilesMatch(engine, truth);

        var dead = harness.ReadDeadLetters(invalid.Count + 1, Patience);

        Assert.Equal(invalid.Count + 1, dead.Count);
        Assert.Equal("malformed_json", EngineHarness.Header(Assert.Single(dead, d => d.Value.Length == 0), DeadLetterPublisher.ReasonHeader));
        foreach (var (reason, bytes) in invalid)
        {
            var letter = Assert.Single(dead, d => d.Value.AsSpan().SequenceEqual(bytes));
            Assert.Equal(reason, EngineHarness.Header(letter, DeadLetterPublisher.ReasonHeader));
            Assert.NotEmpty(EngineHarness.Header(letter, DeadLetterPublisher.DetailHeader)!);
        }
    }

    [Fact]
    public Task After_a_crash_a_new_engine_resumes_from_committed_offsets_and_counts_nothing_twice() =>
        CrashAndResume(new EngineHarness());

    [PostgresFact]
    public async Task On_postgresql_after_a_crash_a_new_engine_resumes_from_committed_offsets_and_counts_nothing_twice() =>
        await CrashAndResume(new EngineHarness { PostgresConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() });

    private static async Task CrashAndResume(EngineHarness created)
    {
        await using var harness = created;
        var truth = new Truth();
        var first = await harness.StartEngineAsync(extra: EngineHarness.NoGracefulStop);

        ProduceWave(harness, truth, wave: 1, users: 40, viewsPerUser: 10);
        await Eventually.True(() => first.Ingest!.Status.Checkpoints > 0, Patience, "a first checkpoint");
        ProduceWave(harness, truth, wave: 2, users: 40, viewsPerUser: 10);
        await EngineHarness.CrashAsync(first);

        ProduceWave(harness, truth, wave: 3, users: 50, viewsPerUser: 3);
        await using var second = await harness.StartEngineAsync();

        await harness.WaitUntilCommittedToEndAsync(second, 4);
        await AssertProfilesMatch(second, truth);
    }

    [Fact]
    public async Task A_database_outage_fails_checkpoints_and_afterwards_nothing_is_lost_or_counted_twice()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.CheckpointTimeout = TimeSpan.FromSeconds(2)));
        var truth = new Truth();
        ProduceWave(harness, truth, wave: 1, users: 30, viewsPerUser: 4);
        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        var endOfWave1 = harness.EndOffsets(4);

        // Another process takes SQLite's write lock: every profile write now blocks, then fails.
        var outage = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(harness.DataDirectory, "profiles.db")};Pooling=false");
        await outage.OpenAsync();
        await using (var begin = outage.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }
        ProduceWave(harness, truth, wave: 2, users: 30, viewsPerUser: 4);
        await Eventually.True(() => engine.Ingest!.Status.Restarts >= 1, Patience, "a checkpoint to fail and the ingest to restart");
        var committedDuringOutage = harness.Committed("dmp-ingest", 4);

        await outage.DisposeAsync(); // the database is back
        ProduceWave(harness, truth, wave: 3, users: 35, viewsPerUser: 2);

        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        await AssertProfilesMatch(engine, truth);
        // Nothing of wave 2 was committed while its profiles could not be written.
        Assert.Equal(endOfWave1, committedDuringOutage);
    }
}
