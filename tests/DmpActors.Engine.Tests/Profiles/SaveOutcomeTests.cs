using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>What an entity does with each outcome of its save: durable, stale (another life wrote), or refused.</summary>
public sealed class SaveOutcomeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static UserEvent Parse(byte[] json) => EventParser.ParseAccepted(json).Event!;

    private static Task<EventApplied> Apply(DmpEngine engine, string user, byte[] json, long offset) =>
        engine.Users.Ask<EventApplied>(new ApplyEvent(user, Parse(json), new EventPosition(0, offset, 1), offset), Patience);

    [Fact]
    public async Task A_save_that_lost_to_another_life_of_the_entity_is_not_reported_durable_and_the_entity_reloads()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.Enabled = false));
        var first = await Apply(engine, "alice", TestEvents.PageView("e1", "alice"), 0);
        Assert.True((await engine.Users.Ask<ProfileFlushed>(new FlushProfile("alice", first.Incarnation, first.Version, 1), Patience)).Succeeded);

        // Given another life of alice (on another node, after a shard move) saved e2 and e3 over the same version
        var other = ProfileCodec.Decode((await engine.Store.LoadAsync(["alice"]))["alice"].State);
        other = ProfileReducer.Apply(other, Parse(TestEvents.PageView("e2", "alice", 1)), new EventPosition(0, 1, 1)).Profile;
        other = ProfileReducer.Apply(other, Parse(TestEvents.PageView("e3", "alice", 2)), new EventPosition(0, 2, 1)).Profile;
        var written = await engine.Store.SaveAsync([new StoredProfile("alice", ProfileCodec.Encode(other), first.Version + 5) { BaseVersion = first.Version }]);
        Assert.Empty(written.Stale);

        // When this life applies e4 and is asked to make it durable
        var fourth = await Apply(engine, "alice", TestEvents.PageView("e4", "alice", 3), 3);
        var flushed = await engine.Users.Ask<ProfileFlushed>(new FlushProfile("alice", fourth.Incarnation, fourth.Version, 2), Patience);

        // Then it does not claim e4 is durable, the store keeps the other life's write, and the reloaded entity takes e4 on top
        Assert.False(flushed.Succeeded);
        Assert.Equal(3, ProfileCodec.Decode((await engine.Store.LoadAsync(["alice"]))["alice"].State).EventsApplied);
        await Eventually.True(async () => (await engine.GetProfileAsync("alice", Patience))?.EventsApplied == 3, Patience, "the entity to reload the stored profile");
        var replayed = await Apply(engine, "alice", TestEvents.PageView("e4", "alice", 3), 3);
        Assert.Equal(ApplyOutcome.Applied, replayed.Outcome);
        Assert.True((await engine.Users.Ask<ProfileFlushed>(new FlushProfile("alice", replayed.Incarnation, replayed.Version, 3), Patience)).Succeeded);
        Assert.Equal(4, ProfileCodec.Decode((await engine.Store.LoadAsync(["alice"]))["alice"].State).EventsApplied);
    }

    [Fact]
    public async Task A_row_the_database_refuses_isolates_only_its_user_and_its_events_are_dead_lettered()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync();
        // A row the database refuses for its data (a NUL in an id on PostgreSQL; here, a trigger)
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(harness.DataDirectory, "profiles.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse_poison BEFORE INSERT ON profiles WHEN NEW.id = 'poison' BEGIN SELECT RAISE(ABORT, 'poison row'); END";
            await command.ExecuteNonQueryAsync();
        }

        for (var i = 0; i < 3; i++)
        {
            harness.Produce("poison", TestEvents.PageView($"p{i}", "poison", i));
            harness.Produce("fine", TestEvents.PageView($"f{i}", "fine", i));
        }
        harness.Flush();

        await Eventually.True(() =>
        {
            var committed = harness.Committed("dmp-ingest", 4);
            return harness.EndOffsets(4).All(e => e.Value == 0 || committed[e.Key] == e.Value);
        }, Patience, "every record to be committed");
        var letters = harness.ReadDeadLetters(3, Patience);
        Assert.Equal(3, letters.Count);
        Assert.All(letters, l => Assert.Equal(DeadLetter.ProfileIsolated, EngineHarness.Header(l, DeadLetterPublisher.ReasonHeader)));
        var isolated = Assert.Single(engine.Isolated.List());
        Assert.Equal(("poison", IsolationKind.Unwritable), (isolated.UserId, isolated.Kind));
        Assert.Contains("poison row", isolated.Reason);
        Assert.Equal(3, ProfileCodec.Decode((await engine.Store.LoadAsync(["fine"]))["fine"].State).EventsApplied);
        // One replay of the events applied before the refusal, then none: never a restart loop
        Assert.InRange(engine.Ingest!.Status.Restarts, 0, 1);
    }
}
