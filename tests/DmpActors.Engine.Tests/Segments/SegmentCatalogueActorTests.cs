using Akka.Actor;
using Akka.Cluster;
using Akka.TestKit.Xunit2;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Tests.Segments;

/// <summary>The catalogue actor on a real SQLite journal and snapshot store, with this node's replica.</summary>
public sealed class SegmentCatalogueActorTests : SqliteClusterTestKit
{
    private IActorRef Catalogue(string name) => Sys.ActorOf(SegmentCatalogueActor.Props(TimeProvider.System, snapshotEvery: 2), name);

    [Fact]
    public void A_restarted_catalogue_recovers_from_its_snapshot_and_the_journal_after_it_and_the_replica_publishes_the_set()
    {
        var registry = new SegmentRegistry();
        Sys.ActorOf(SegmentReplicaActor.Props(registry, ProfileRules.Default));
        var catalogue = Catalogue("catalogue-1");
        foreach (var (id, rule, shadow) in new[]
                 {
                     ("a", "orders >= 1", false), ("b", "orders >= 2", false), ("a", "orders >= 3", false), ("a", "orders >= 3", true),
                     ("c", "trait.country == \"GB\"", false),
                 })
        {
            catalogue.Tell(new PutSegment(id, rule, shadow));
            ExpectMsg<SegmentPut>();
        }

        catalogue.Tell(new DeleteSegment("b"));
        Assert.Equal(2, ExpectMsg<SegmentDeleted>().Tombstone!.Version);
        Watch(catalogue);
        catalogue.Tell(PoisonPill.Instance);
        ExpectTerminated(catalogue);

        // Snapshots are saved in the background: one every 2 versions, older ones deleted after.
        AwaitCondition(() => SnapshotRows() >= 1, TimeSpan.FromSeconds(10));
        var again = Catalogue("catalogue-2");
        again.Tell(ListSegments.Instance);
        var current = ExpectMsg<CurrentSegments>();
        again.Tell(new GetSegment("a"));
        var history = ExpectMsg<SegmentHistory>();

        Assert.Equal(6, current.Revision);
        Assert.Equal([("a", 3, true), ("c", 1, false)], current.Segments.Select(s => (s.SegmentId, s.Version, s.Shadow)));
        Assert.Equal(["orders >= 1", "orders >= 3", "orders >= 3"], history.Versions.Select(v => v.Rule));
        AwaitCondition(() => registry.Current.Revision == 6, TimeSpan.FromSeconds(10));
        Assert.Equal(["a", "c"], registry.Current.Segments.Select(s => s.Id));
    }

    [Fact]
    public void A_rule_that_does_not_check_or_a_bad_id_is_refused_and_records_nothing()
    {
        var catalogue = Catalogue("catalogue-refusals");

        catalogue.Tell(new PutSegment("x", "windw.purchases.30d >= 2", false));
        var badRule = ExpectMsg<SegmentCommandRefused>();
        catalogue.Tell(new PutSegment("X", "orders >= 1", false));
        var badId = ExpectMsg<SegmentCommandRefused>();
        catalogue.Tell(new GetSegment("x"));

        Assert.Contains("unknown field 'windw.purchases.30d'", badRule.Reason, StringComparison.Ordinal);
        Assert.Contains("segment id", badId.Reason, StringComparison.Ordinal);
        Assert.Empty(ExpectMsg<SegmentHistory>().Versions);
    }

    private long SnapshotRows()
    {
        if (!File.Exists(Path.Combine(Directory.Path, "snapshots.db"))) return 0;
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Directory.Path, "snapshots.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM dmp_snapshot WHERE persistence_id = 'segment-catalogue'";
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // the table is not created yet
        }
    }
}
