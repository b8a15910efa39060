using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Models;
using DmpActors.Engine.Recommendations;
using DmpActors.Engine.Tests.Models;
using DmpActors.Engine.Tests.Support;
using DmpActors.Ml.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Engine.Tests.Recommendations;

/// <summary>The CTR re-rank across a cluster: rows offered to the coordinator, a version trained and pushed to every
/// node, a node's recommender ordering its lists with it (and scoring a shadow beside it), then rolled back.</summary>
public sealed class CtrRerankTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;

    /// <summary>Rows whose clicks follow popularity (feature 5) and fade with position (feature 0).</summary>
    private static IEnumerable<CtrRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var f = new float[CtrFeatures.Count];
            f[0] = random.Next(10);
            f[5] = (float)random.NextDouble();
            f[CtrFeatures.ItemCtr] = 0.05f;
            var clicked = random.NextDouble() < 0.02 + 0.4 * f[5] / (1 + f[0]);
            yield return new CtrRow($"rec-{i}", $"u{i % 400}", $"sku-{i % 30}", "home", T0, (int)f[0], f, clicked);
        }
    }

    private static async Task<RetrainAccepted> Retrain(ModelService models, bool shadow = false)
    {
        var accepted = await models.Coordinator.Ask<RetrainAccepted>(new RetrainModels([ModelNames.Ctr], shadow), Wait);
        Assert.True(accepted.Started, accepted.Message);
        return accepted;
    }

    private static Task Until(Func<bool> condition, string what) => Eventually.True(condition, Wait, what);

    [Fact]
    public async Task A_pushed_ctr_version_orders_the_lists_and_a_rollback_takes_the_previous_one_back()
    {
        await using var cluster = new ModelNodes();
        await cluster.StartNodeAsync();
        var (_, models) = await cluster.StartNodeAsync();
        using var dir = new TempDirectory();
        var sent = new List<CtrRow>();
        await using var recommender = new RecommendationService(new SqliteCatalogueStore(Path.Combine(dir.Path, "profiles.db")),
            new RecommendationOptions(), ProfileRules.Default, TimeProvider.System, (_, _) => Task.FromResult<UserProfile?>(null),
            NullLogger.Instance);
        await recommender.StartAsync();
        recommender.Connect(new CtrLoop(null, "dmp.impressions", "node-test", rows => sent.AddRange(rows), models.Registry));
        await recommender.PutAsync(Enumerable.Range(0, 30).Select(i => new CatalogueItem { Id = $"sku-{i}", Category = $"c{i % 10}", Title = $"item {i}" }).ToArray());
        recommender.Fold(Enumerable.Range(0, 30).SelectMany(i => Enumerable.Range(0, i + 1).Select(k => (new UserEvent
        {
            EventId = $"v-{i}-{k}", Type = EventType.ProductView, UserId = $"viewer-{k}", Timestamp = T0, ItemId = $"sku-{i}",
        }, 0L))).ToArray());

        // Without a model the blend's order stands.
        var blended = await recommender.RecommendAsync("alice", new RecommendationQuery(5));
        Assert.Null(blended.CtrVersion);
        Assert.Equal(5, blended.List.Items.Count);

        foreach (var batch in Rows(4_000, 1).Chunk(500)) models.Coordinator.Tell(new OfferCtrRows(batch));
        await Retrain(models);
        await Until(() => cluster.Nodes.All(n => n.Models.Registry.ActiveVersion(ModelNames.Ctr) == 1), "ctr v1 on every node");
        var v1 = models.Registry.Current.Versions.Single(v => v is { Name: ModelNames.Ctr, Version: 1 });
        Assert.True(v1.Metrics["auc"] > 0.6, $"auc {v1.Metrics["auc"]}");
        Assert.True(v1.Metrics.ContainsKey("baseline_auc"));

        var ranked = await recommender.RecommendAsync("alice", new RecommendationQuery(5));
        Assert.Equal(1, ranked.CtrVersion);
        Assert.Equal(5, ranked.List.Items.Count);
        Assert.Equal(5, models.Registry.ScoredBy(ModelNames.Ctr, 1));

        foreach (var batch in Rows(4_000, 2).Chunk(500)) models.Coordinator.Tell(new OfferCtrRows(batch));
        await Retrain(models);
        await Until(() => models.Registry.ActiveVersion(ModelNames.Ctr) == 2, "ctr v2");
        Assert.Equal(2, (await recommender.RecommendAsync("alice", new RecommendationQuery(5))).CtrVersion);

        var back = await models.Coordinator.Ask<ModelCommandResult>(new RollbackModel(ModelNames.Ctr), Wait);
        Assert.True(back.Ok, back.Message);
        await Until(() => cluster.Nodes.All(n => n.Models.Registry.ActiveVersion(ModelNames.Ctr) == 1), "ctr v1 again on every node");
        Assert.Equal(1, (await recommender.RecommendAsync("alice", new RecommendationQuery(5))).CtrVersion);

        // A shadow is scored beside the active version on the same items, and orders nothing.
        await Retrain(models, shadow: true);
        await Until(() => models.Registry.Scoring(ModelNames.Ctr).Shadow is { Version: 3 }, "ctr v3 as a shadow");
        Assert.Equal(1, (await recommender.RecommendAsync("alice", new RecommendationQuery(5))).CtrVersion);
        Assert.Equal(5, models.Registry.ScoredBy(ModelNames.Ctr, 3));
        Assert.InRange(models.Registry.DisagreementRate(ModelNames.Ctr, 3), 0, 1);
    }
}
