using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>
/// A save the database refuses, end to end: the stream moves on with at most one replay, the other users' profiles
/// are saved, and the refused user's events reach the dead-letter topic. What the entity itself does with each
/// outcome of its save is in <see cref="UserEntityTests"/>.
/// </summary>
public sealed class SaveOutcomeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

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
