using DmpActors.Domain.Segments;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Segments;

/// <summary>The segment catalogue on real engines: journal on SQLite or PostgreSQL, replicated to every node.</summary>
public sealed class SegmentCatalogueEngineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static RuleDefinition Rule(string text) => RuleDefinition.Define(text);

    [Fact]
    public Task Definitions_survive_a_restart_of_the_engine_on_sqlite() => SurvivesRestart(postgres: null);

    [PostgresFact]
    public async Task Definitions_survive_a_restart_of_the_engine_on_postgresql() =>
        await SurvivesRestart(await TestDatabases.CreatePostgresDatabaseAsync());

    private static async Task SurvivesRestart(string? postgres)
    {
        await using var harness = new EngineHarness { PostgresConnectionString = postgres };
        var options = harness.Options(o => o.Ingest.Enabled = false);
        CurrentSegments before;
        IReadOnlyList<SegmentVersion> history;
        await using (var engine = await harness.StartEngineAsync(options))
        {
            var catalogue = engine.SegmentCatalogue;
            Assert.Equal(PutOutcome.Created, (await catalogue.PutAsync("buyers_30d", Rule("window.purchases.30d >= 2"), false)).Outcome);
            Assert.Equal(PutOutcome.Created, (await catalogue.PutAsync("lapsed", Rule("last_seen older than 30d"), true)).Outcome);
            var updated = await catalogue.PutAsync("buyers_30d", Rule("window.purchases.30d >= 3"), false);
            var same = await catalogue.PutAsync("buyers_30d", Rule("window.purchases.30d>=3"), false);
            Assert.Equal((PutOutcome.Updated, 2), (updated.Outcome, updated.Current.Version));
            Assert.Equal((PutOutcome.Unchanged, 2), (same.Outcome, same.Current.Version));
            Assert.Equal(2, (await catalogue.DeleteAsync("lapsed"))!.Version);
            Assert.Null(await catalogue.DeleteAsync("lapsed"));
            before = await catalogue.ListAsync();
            history = await catalogue.HistoryAsync("buyers_30d");
            await Eventually.True(() => engine.Segments.Current.Revision == 4, Patience, "the node's segment set to reach revision 4");
        }

        if (postgres is null)
        {
            Assert.True(File.Exists(Path.Combine(harness.DataDirectory, "journal.db")));
        }

        await using (var engine = await harness.StartEngineAsync(options))
        {
            var after = await engine.SegmentCatalogue.ListAsync();
            Assert.Equal(4, after.Revision);
            Assert.Equal(before.Segments, after.Segments);
            Assert.Equal(["buyers_30d"], after.Segments.Select(s => s.SegmentId));
            Assert.Equal(history, await engine.SegmentCatalogue.HistoryAsync("buyers_30d"));
            Assert.Equal([false, true], (await engine.SegmentCatalogue.HistoryAsync("lapsed")).Select(v => v.Deleted));
            await Eventually.True(() => engine.Segments.Current.Revision == 4, Patience, "the restarted node's segment set");
            var set = engine.Segments.Current;
            Assert.Equal([("buyers_30d", 2)], set.Segments.Select(s => (s.Id, s.Version)));

            var next = await engine.SegmentCatalogue.PutAsync("lapsed", Rule("last_seen older than 14d"), false);
            Assert.Equal((PutOutcome.Created, 3), (next.Outcome, next.Current.Version));
        }
    }

    [Fact]
    public async Task A_second_node_receives_the_set_and_writes_through_the_one_writer()
    {
        await using var harness = new EngineHarness();
        await using var first = await harness.StartEngineAsync(harness.Options(o => o.Ingest.Enabled = false));
        await first.SegmentCatalogue.PutAsync("shoes_fans", Rule("affinity.category(\"shoes\") > 0.4"), false);

        var secondDirectory = Path.Combine(harness.DataDirectory, "second");
        await using var second = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Storage.DataDirectory = secondDirectory;
            o.Node.SeedNodes = [first.NodeAddress];
        }));

        await Eventually.True(() => second.Segments.Current.Find("shoes_fans") is not null, Patience,
            "the node that joined later to get the definitions");
        var put = await second.SegmentCatalogue.PutAsync("buyers_30d", Rule("window.purchases.30d >= 2"), true);

        Assert.Equal(2, (await first.SegmentCatalogue.ListAsync()).Revision);
        await Eventually.True(() => first.Segments.Current.Revision == 2 && second.Segments.Current.Revision == 2, Patience,
            "both nodes to evaluate revision 2");
        Assert.Equal(put.Current, (await first.SegmentCatalogue.HistoryAsync("buyers_30d")).Single());
        Assert.True(second.Segments.Current.Find("buyers_30d")!.Shadow);
        Assert.False(File.Exists(Path.Combine(secondDirectory, "journal.db")), "only the oldest node writes the journal");

        // 40 rules near the 8,192-character limit, of random letters (the replicator compresses what it can): the
        // replicated set (~320 KB, ~200 KB compressed) is larger than Akka's default frame.
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var note = string.Concat(Enumerable.Range(0, 8_100).Select(_ => (char)random.Next('a', 'z' + 1)));
            await first.SegmentCatalogue.PutAsync($"long_{i:00}", Rule($"trait.note == \"{note}\""), false);
        }
        await Eventually.True(() => second.Segments.Current.Revision == 42, Patience, "the second node to get a set larger than Akka's default frame");
        Assert.Equal(42, second.Segments.Current.Segments.Count);
    }

    [Fact]
    public async Task The_catalogue_refuses_an_invalid_segment_id()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.Enabled = false));

        var error = await Assert.ThrowsAsync<SegmentCatalogueException>(() =>
            engine.SegmentCatalogue.PutAsync("Shoes Fans", Rule("orders >= 1"), false));

        Assert.Contains("segment id", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await engine.SegmentCatalogue.ListAsync()).Revision);
    }

    [Fact]
    public async Task On_the_memory_store_the_catalogue_keeps_definitions_in_memory_and_writes_no_file()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Storage.Provider = "memory";
            o.Ingest.Enabled = false;
        }));

        await engine.SegmentCatalogue.PutAsync("a", Rule("orders >= 1"), false);

        await Eventually.True(() => engine.Segments.Current.Revision == 1, Patience, "the node's segment set");
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.DataDirectory));
    }
}
