using DmpActors.Domain.Profiles;
using DmpActors.Domain.Recommendations;
using DmpActors.Ml.Ctr;
using DmpActors.Ml.Training;
using Xunit.Abstractions;

namespace DmpActors.Ml.Tests;

/// <summary>
/// The CTR model on the load generator's shop and click model: 30 days of events build the profiles and the item
/// statistics; then every user is served lists by the hybrid blend four times an hour apart, each item clicked with the
/// generator's probability for the user's group and the item's category (fading with position), and the impression →
/// click loop turns the lists into labelled rows exactly as a node does.
/// </summary>
public sealed class CtrQualityTests(GeneratedShop shop, ITestOutputHelper output) : IClassFixture<GeneratedShop>
{
    private const string Node = "node";

    private IReadOnlyList<CtrRow> ServeAndClick(int rounds, int seed)
    {
        var rules = ProfileRules.Default;
        var cut = GeneratedShopBase.Start.AddDays(30);
        var stats = new ItemStatistics();
        foreach (var e in shop.Events.SelectMany(u => u.Events).Where(e => e.Timestamp <= cut).OrderBy(e => e.Timestamp)) stats.Apply(e);
        var profiles = shop.Events.ToDictionary(u => u.UserId, u => u.Events.Where(e => e.Timestamp <= cut)
            .Aggregate(UserProfile.Empty(u.UserId), (p, e) => ProfileReducer.Apply(p, e, null, rules).Profile));
        var groups = shop.Truth.Groups;
        var ctr = new CtrStatistics(CtrOptions.Default with { FatigueImpressions = 0 }, Node);
        var rows = new List<CtrRow>();
        var random = new Random(seed);
        var n = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (user, profile) in profiles.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!shop.Groups.TryGetValue(user, out var group)) continue;
                var now = cut.AddHours(round).AddMilliseconds(++n);
                var request = RecommendationRequest.ForProfile(profile, now, rules) with { Count = 10 };
                var list = HybridRecommender.Recommend(request, stats);
                var top = stats.Popularity.Popular(now) is { Count: > 0 } p ? p[0].Score : 0;
                var trending = stats.Popularity.Trending(now) is { Count: > 0 } t ? t[0].Score : 0;
                var items = list.Items.Select((item, k) => new ImpressedItem(item.ItemId, k, CtrFeatures.Of(item, k, request, stats,
                    new CtrContext(ctr.ItemCtr(item.ItemId, CtrWindow.Week, now), ctr.SlotCtr("default", CtrWindow.Week, now), top, trending)))).ToArray();
                var impression = new Impression($"rec-{n}", user, null, now, Node, items);
                ctr.OnImpression(impression, rows);
                foreach (var (item, k) in list.Items.Select((item, k) => (item, k)))
                {
                    var click = item.Category is { } c && groups[group].ClickProbability.TryGetValue(c, out var pc) ? pc : 0.01;
                    if (random.NextDouble() < click / (1 + 0.3 * k)) ctr.OnClick(impression.RecommendationId, user, item.ItemId, now.AddMinutes(1), rows);
                }
            }
        }

        ctr.Advance(cut.AddDays(1), rows);
        return rows;
    }

    [Fact]
    public void The_ctr_model_beats_the_items_own_ctr_on_the_same_rows()
    {
        var rows = ServeAndClick(rounds: 4, seed: 3);
        var trained = CtrModels.Train(rows);
        var m = trained.Metrics;
        output.WriteLine($"rows {rows.Count}, clicked {rows.Count(r => r.Clicked)}; auc {m["auc"]:F3}, item ctr alone {m["baseline_auc"]:F3}, logistic {m["logistic_auc"]:F3}, " +
                         $"log loss {m["log_loss"]:F3}, calibration error {m["calibration_error"]:F3}, positive rate {m["positive_rate"]:F3}");
        Assert.Equal(ModelNames.Ctr, trained.Name);
        Assert.True(m["auc"] >= m["baseline_auc"] + 0.05, $"auc {m["auc"]:F3} against {m["baseline_auc"]:F3}");

        // The stored form scores as the trained model does.
        var model = (CtrModel)trained.Model;
        var back = (CtrModel)ModelCodec.Decode(ModelKind.Ctr, model.Encode());
        Assert.Equal(model.Predict(rows[0].Features), back.Predict(rows[0].Features), 5);
        Assert.True(double.IsNaN(back.Score(Domain.Scores.ProfileFeatures.Sample(UserProfile.Empty("u"), GeneratedShopBase.Start, ProfileRules.Default))));
    }

    [Fact]
    public void Auc_of_hand_worked_scores()
    {
        Assert.Equal(1.0, CtrModels.Auc([false, false, true, true], [0.1f, 0.2f, 0.3f, 0.4f]));
        Assert.Equal(0.75, CtrModels.Auc([false, true, false, true], [0.1f, 0.2f, 0.3f, 0.4f]));
        Assert.Equal(0.5, CtrModels.Auc([false, true], [0.5f, 0.5f]));
    }
}
