using DmpActors.Ml.Clustering;
using DmpActors.Ml.Clv;
using DmpActors.Ml.Propensity;
using DmpActors.Ml.Training;
using Xunit.Abstractions;

namespace DmpActors.Ml.Tests;

public sealed class ModelQualityTests(GeneratedShop shop, ITestOutputHelper output) : IClassFixture<GeneratedShop>
{
    private void Report(TrainedModel m) =>
        output.WriteLine($"{m.Name}: rows {m.Rows}, {m.Duration.TotalMilliseconds:F0} ms, " +
                         string.Join(", ", m.Metrics.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value:G4}")));

    [Fact]
    public void Behavioural_clusters_recover_the_latent_groups()
    {
        var samples = shop.Rows(30).Select(r => r.Features).ToArray();

        var trained = BehaviourClustering.Train(samples);
        Report(trained);

        var model = (ClusterModel)trained.Model;
        var ari = AdjustedRandIndex.Of(samples.Select(s => shop.Groups[s.UserId]).ToArray(), samples.Select(model.Assign).ToArray());
        output.WriteLine($"ARI vs latent groups: {ari:F3} over {samples.Length} users");
        Assert.Equal(5, model.K);
        Assert.True(ari >= 0.9, $"ARI {ari:F3}");
    }

    [Fact]
    public void Boosted_trees_rank_held_out_buyers_well_above_chance_and_level_with_logistic_regression()
    {
        var trained = BinaryModels.Train(ModelKind.Propensity, shop.Rows(20, 25, 30));
        Report(trained);

        var auc = trained.Metrics["auc"];
        var baseline = trained.Metrics["baseline_auc"];
        Assert.True(auc > 0.6, $"AUC {auc:F3}");
        Assert.True(auc >= baseline - 0.03, $"AUC {auc:F3} vs baseline {baseline:F3}");
        Assert.InRange(trained.Metrics["calibration_error"], 0, 0.1);
    }

    [Fact]
    public void The_value_model_errs_less_than_carrying_last_month_forward()
    {
        var trained = ClvModel.Train(shop.Rows(20, 25, 30));
        Report(trained);

        Assert.True(trained.Metrics["mae"] < trained.Metrics["baseline_mae"], "MAE not below the baseline's");
        Assert.True(trained.Metrics["r2"] > trained.Metrics["baseline_r2"], "R² not above the baseline's");
    }

    [Fact]
    public void Every_model_scores_the_same_after_its_stored_form_is_read_back()
    {
        var rows = shop.Rows(30);
        var set = new TrainingSet(rows.Select(r => r.Features).ToArray(), rows);

        var userModels = ModelNames.All.Where(n => n != ModelNames.Ctr).ToArray(); // the CTR model scores items (CtrQualityTests)
        var (models, skipped) = ModelTrainer.Train(set, userModels);

        Assert.Empty(skipped);
        Assert.Equal(userModels.Order(), models.Select(m => m.Name).Order());
        foreach (var m in models)
        {
            var restored = ModelCodec.Decode(m.Model.Kind, ModelCodec.Encode(m.Model));
            foreach (var r in rows.Take(200))
                Assert.Equal(m.Model.Score(r.Features), restored.Score(r.Features), 5);
        }
    }

    [Fact]
    public void Too_little_data_skips_a_model_with_the_reason()
    {
        var rows = shop.Rows(30).Take(50).ToArray();

        var (models, skipped) = ModelTrainer.Train(new TrainingSet(rows.Select(r => r.Features).ToArray(), rows), [ModelNames.Churn, ModelNames.Rfm]);

        Assert.Equal([ModelNames.Rfm], models.Select(m => m.Name));
        Assert.Contains("churn: 50 labelled rows", Assert.Single(skipped));
    }
}
