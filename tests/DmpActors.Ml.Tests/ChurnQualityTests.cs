using DmpActors.Ml.Propensity;
using DmpActors.Ml.Training;
using Xunit.Abstractions;

namespace DmpActors.Ml.Tests;

/// <summary>A shop where users visit rarely enough that some stay away for 30 days.</summary>
public sealed class SparseShop() : GeneratedShopBase(users: 2_000, events: 60_000, seed: 7);

public sealed class ChurnQualityTests(SparseShop shop, ITestOutputHelper output) : IClassFixture<SparseShop>
{
    [Fact]
    public void Boosted_trees_rank_held_out_churners_above_chance_and_level_with_logistic_regression()
    {
        var trained = BinaryModels.Train(ModelKind.Churn, shop.Rows(20, 25, 30));
        output.WriteLine(string.Join(", ", trained.Metrics.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value:G4}")));

        // Churners exist here (dense shops have none); a user's own visit rate is the signal both models can use.
        Assert.InRange(trained.Metrics["positive_rate"], 0.02, 0.5);
        Assert.True(trained.Metrics["auc"] > 0.6, $"AUC {trained.Metrics["auc"]:F3}");
        Assert.True(trained.Metrics["auc"] >= trained.Metrics["baseline_auc"] - 0.03, "trees well below the baseline");
        Assert.InRange(trained.Metrics["calibration_error"], 0, 0.1);
    }
}
