using Akka.Actor;
using DmpActors.Engine.Campaigns;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Campaigns;

/// <summary>The campaign catalogue on a real SQLite journal and snapshot store, with this node's replica.</summary>
public sealed class CampaignCatalogueActorTests : SqliteClusterTestKit
{
    public static string Definition(string segment, long? budget = null) =>
        "{\"name\":\"Welcome\",\"trigger\":{\"kind\":\"segment_entered\",\"target\":\"" + segment + "\"}," +
        "\"variants\":[{\"id\":\"a\",\"payload\":{\"offer_id\":\"welcome-10\"}}]" +
        (budget is { } b ? $",\"budget\":{b}" : "") + "}";

    private IActorRef Catalogue(string name) => Sys.ActorOf(CampaignCatalogueActor.Props(TimeProvider.System, snapshotEvery: 2), name);

    [Fact]
    public void A_restarted_catalogue_recovers_its_versions_and_the_replica_publishes_the_live_campaigns()
    {
        var registry = new CampaignRegistry();
        Sys.ActorOf(CampaignReplicaActor.Props(registry));
        var catalogue = Catalogue("campaigns-1");
        foreach (var command in new object[]
                 {
                     new PutCampaign("welcome", Definition("new-users")), new PutCampaign("winback", Definition("lapsed")),
                     new PauseCampaign("welcome", true), new PutCampaign("winback", Definition("lapsed", budget: 100)),
                     new DeleteCampaign("winback"), new PutCampaign("cart", Definition("cart-abandoners")),
                 })
        {
            catalogue.Tell(command);
            ExpectMsg<CampaignChanged>();
        }

        catalogue.Tell(new PutCampaign("bad", """{"name":"x"}"""));
        Assert.Contains(ExpectMsg<CampaignRefused>().Errors, e => e.Field == "trigger");
        Watch(catalogue);
        catalogue.Tell(PoisonPill.Instance);
        ExpectTerminated(catalogue);

        var again = Catalogue("campaigns-2");
        again.Tell(ListCampaigns.Instance);
        var current = ExpectMsg<CurrentCampaigns>();
        again.Tell(new GetCampaign("winback"));
        var history = ExpectMsg<CampaignHistory>();

        Assert.Equal(6, current.Revision);
        Assert.Equal([("cart", 1), ("welcome", 2)], current.Campaigns.Select(c => (c.CampaignId, c.Version)));
        Assert.Equal([false, false, true], history.Versions.Select(v => v.Deleted));
        AwaitCondition(() => registry.Current.Revision == 6, TimeSpan.FromSeconds(10));
        Assert.True(registry.Current.Find("welcome")!.Paused);
        Assert.Equal(["cart"], registry.Current.TriggeredBy(Domain.Campaigns.TriggerKind.SegmentEntered, "cart-abandoners").Select(c => c.Id));
    }
}
