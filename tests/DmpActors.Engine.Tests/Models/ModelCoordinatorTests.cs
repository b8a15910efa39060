using Akka.Actor;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Models;
using DmpActors.Engine.Tests.Support;
using DmpActors.Ml.Training;

namespace DmpActors.Engine.Tests.Models;

public sealed class ModelCoordinatorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Names = [ModelNames.Behaviour, ModelNames.Rfm];

    private static async Task<RetrainAccepted> Retrain(ModelService models, bool shadow = false)
    {
        var accepted = await models.Coordinator.Ask<RetrainAccepted>(new RetrainModels(Names, shadow), Wait);
        Assert.True(accepted.Started, accepted.Message);
        return accepted;
    }

    private static async Task AllAt(ModelNodes cluster, string name, int version)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!cluster.Nodes.All(n => n.Models.Registry.ActiveVersion(name) == version))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{name} v{version} not active on every node: " +
                            string.Join(", ", cluster.Nodes.Select(n => $"r{n.Models.Registry.Current.Revision}/v{n.Models.Registry.ActiveVersion(name)}")));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_trained_version_reaches_every_node_and_a_rollback_takes_every_node_back()
    {
        await using var cluster = new ModelNodes();
        await cluster.StartNodeAsync();
        await cluster.StartNodeAsync();
        await cluster.StartNodeAsync();

        // Given samples offered through a node that does not host the coordinator (its proxy keeps their order)
        var other = cluster.Nodes[1].Models;
        foreach (var s in ModelNodes.Samples(600)) other.Coordinator.Tell(new OfferSample(s));
        Assert.Equal(600, (await Retrain(other)).Samples);

        // when trained twice, then rolled back
        await AllAt(cluster, ModelNames.Behaviour, 1);
        await AllAt(cluster, ModelNames.Rfm, 1);
        await Retrain(other);
        await AllAt(cluster, ModelNames.Behaviour, 2);
        var rolledBack = await cluster.Nodes[2].Models.Coordinator.Ask<ModelCommandResult>(new RollbackModel(ModelNames.Behaviour), Wait);

        // then every node scores with v1 again, and the catalogue says why
        Assert.True(rolledBack.Ok, rolledBack.Message);
        await AllAt(cluster, ModelNames.Behaviour, 1);
        var catalogue = cluster.Nodes[1].Models.Registry.Current;
        var behaviour = catalogue.Versions.Where(v => v.Name == ModelNames.Behaviour).OrderBy(v => v.Version).ToArray();
        Assert.Equal([ModelStatus.Active, ModelStatus.Retired], behaviour.Select(v => v.Status));
        Assert.Equal(3, behaviour[0].Metrics["k"]);
        Assert.True(behaviour[0].Metrics["silhouette"] > 0.5);
        Assert.Null(behaviour[1].Payload);

        // and the entities' scores come from the active version
        var scores = cluster.Nodes[2].Models.Registry.Score(ModelNodes.Samples(1).Single());
        Assert.True(scores.Clusters.ContainsKey(ModelNames.Behaviour));
        Assert.NotNull(scores.Rfm);
        Assert.Equal(1, cluster.Nodes[2].Models.Registry.ScoredBy(ModelNames.Behaviour, 1));
    }

    [Fact]
    public async Task A_node_that_joins_later_gets_the_current_versions()
    {
        await using var cluster = new ModelNodes();
        var (_, first) = await cluster.StartNodeAsync();
        foreach (var s in ModelNodes.Samples(300)) first.Coordinator.Tell(new OfferSample(s));
        await Retrain(first);
        await AllAt(cluster, ModelNames.Rfm, 1);

        var (_, late) = await cluster.StartNodeAsync();

        await Eventually.True(() => late.Registry.ActiveVersion(ModelNames.Behaviour) == 1, Wait, "the late node has behaviour v1");
        Assert.Equal(first.Registry.Current.Revision, late.Registry.Current.Revision);
    }

    [Fact]
    public async Task A_shadow_version_is_scored_beside_the_active_one_until_it_is_promoted()
    {
        await using var cluster = new ModelNodes();
        var (_, node) = await cluster.StartNodeAsync();
        foreach (var s in ModelNodes.Samples(300)) node.Coordinator.Tell(new OfferSample(s));
        await Retrain(node);
        await AllAt(cluster, ModelNames.Behaviour, 1);

        await Retrain(node, shadow: true);
        await Eventually.True(() => node.Registry.Current.Versions.Any(v => v is { Name: ModelNames.Behaviour, Version: 2, Status: ModelStatus.Shadow }),
            Wait, "behaviour v2 in shadow");
        foreach (var s in ModelNodes.Samples(50, seed: 2)) node.Registry.Score(s);

        Assert.Equal(1, node.Registry.ActiveVersion(ModelNames.Behaviour));
        Assert.Equal(50, node.Registry.ScoredBy(ModelNames.Behaviour, 2));
        Assert.InRange(node.Registry.DisagreementRate(ModelNames.Behaviour, 2), 0, 1);

        var promoted = await node.Coordinator.Ask<ModelCommandResult>(new PromoteModel(ModelNames.Behaviour, 2), Wait);
        Assert.True(promoted.Ok, promoted.Message);
        await AllAt(cluster, ModelNames.Behaviour, 2);
        var refused = await node.Coordinator.Ask<ModelCommandResult>(new PromoteModel(ModelNames.Behaviour, 9), Wait);
        Assert.False(refused.Ok);
    }

    [Fact]
    public async Task Versions_survive_a_restart_in_the_sqlite_journal()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dmp-models-" + Guid.NewGuid().ToString("N"));
        var storage = new StorageOptions { Provider = "sqlite", DataDirectory = dir };
        long revision;
        await using (var cluster = new ModelNodes(storage))
        {
            var (_, node) = await cluster.StartNodeAsync();
            foreach (var s in ModelNodes.Samples(300)) node.Coordinator.Tell(new OfferSample(s));
            await Retrain(node);
            await AllAt(cluster, ModelNames.Behaviour, 1);
            revision = node.Registry.Current.Revision;
        }

        await using (var restarted = new ModelNodes(storage))
        {
            var (_, node) = await restarted.StartNodeAsync();

            await Eventually.True(() => node.Registry.ActiveVersion(ModelNames.Behaviour) == 1, Wait, "behaviour v1 recovered from the journal");
            Assert.Equal(revision, node.Registry.Current.Revision);
        }

        Directory.Delete(dir, recursive: true);
    }
}
