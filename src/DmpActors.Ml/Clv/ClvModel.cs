using System.Diagnostics;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace DmpActors.Ml.Clv;

/// <summary>
/// The value estimate: expected purchase revenue in the value horizon (30 days by default), learnt by FastTree
/// regression from the same features as the other models, never below 0. Baseline in the same run: the last 30
/// days' revenue carried forward (what a spreadsheet would say). Metrics on held-out users: MAE, RMSE, R² of both.
/// </summary>
public sealed class ClvModel : IScoringModel
{
    private readonly MlModel<ScoreOutput> _model;

    internal ClvModel(FeatureLayout layout, byte[] bytes) => _model = new MlModel<ScoreOutput>(layout, bytes);

    public ModelKind Kind => ModelKind.Clv;

    public double Score(FeatureSample sample) => Math.Max(0, _model.Predict(sample).Score);

    public byte[] Encode() => _model.Encode(Kind);

    private static readonly int Revenue30d = IndexOf("revenue_30d");

    private static int IndexOf(string name) => ProfileFeatures.NumericNames.ToList().IndexOf(name);

    /// <summary>The baseline's estimate for a sample.</summary>
    public static double Baseline(FeatureSample sample) => sample.Numeric[Revenue30d];

    public static TrainedModel Train(IReadOnlyList<TrainingRow> rows, BoostingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var o = options ?? new BoostingOptions();
        var clock = Stopwatch.StartNew();
        var (train, test) = MlRows.Split(MlRows.Thin(rows, o.MaxRows));
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException($"{rows.Count} rows are too few to train and measure", nameof(rows));
        var layout = FeatureLayout.FromSamples(train.Select(r => r.Features));
        var ml = new MLContext(o.Seed);
        var data = MlRows.Load(ml, train.Select(r => MlRows.Row(layout, r)), layout.Count);
        var trees = ml.Regression.Trainers.FastTree(MlRows.Boosted(new FastTreeRegressionTrainer.Options(), o, nameof(FeatureRow.Value))).Fit(data);
        var model = new ClvModel(layout, MlRows.Save(ml, trees, layout.Count));

        var actual = test.Select(r => (double)r.Labels.Revenue).ToArray();
        var metrics = new Dictionary<string, double>();
        Errors(actual, test.Select(r => model.Score(r.Features)).ToArray(), metrics, "");
        Errors(actual, test.Select(r => Baseline(r.Features)).ToArray(), metrics, "baseline_");
        metrics["test_rows"] = test.Count;
        return new TrainedModel(ModelNames.Clv, model, metrics, train.Count, clock.Elapsed);
    }

    private static void Errors(double[] actual, double[] predicted, Dictionary<string, double> into, string prefix)
    {
        var mean = actual.Average();
        var sse = actual.Zip(predicted, (a, p) => (a - p) * (a - p)).Sum();
        var sst = actual.Sum(a => (a - mean) * (a - mean));
        into[prefix + "mae"] = actual.Zip(predicted, (a, p) => Math.Abs(a - p)).Average();
        into[prefix + "rmse"] = Math.Sqrt(sse / actual.Length);
        into[prefix + "r2"] = sst > 0 ? 1 - sse / sst : 0;
    }
}

