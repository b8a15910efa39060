using System.Diagnostics;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace DmpActors.Ml.Propensity;

/// <summary>A probability model: purchase propensity or churn risk.</summary>
public sealed class BinaryModel : IScoringModel
{
    private readonly MlModel<ProbabilityOutput> _model;

    internal BinaryModel(ModelKind kind, FeatureLayout layout, byte[] bytes)
    {
        Kind = kind;
        _model = new MlModel<ProbabilityOutput>(layout, bytes);
    }

    public ModelKind Kind { get; }

    public double Score(FeatureSample sample) => _model.Predict(sample).Probability;

    public byte[] Encode() => _model.Encode(Kind);
}


/// <summary>
/// Gradient-boosted trees (ML.NET FastTree, Platt-calibrated) for propensity and churn, measured on held-out users
/// beside a logistic-regression baseline (L-BFGS over standardised features) trained on the same rows in the same run.
/// Metrics: AUC, log-loss and expected calibration error (10 equal-width bins) of each, on the same holdout.
/// </summary>
public static class BinaryModels
{
    public static TrainedModel Train(ModelKind kind, IReadOnlyList<TrainingRow> rows, BoostingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var o = options ?? new BoostingOptions();
        Func<TrainingLabels, bool> label = kind switch
        {
            ModelKind.Propensity => l => l.Purchased,
            ModelKind.Churn => l => l.Churned,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a probability model"),
        };
        var clock = Stopwatch.StartNew();
        var (train, test) = MlRows.Split(MlRows.Thin(rows, o.MaxRows));
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException($"{rows.Count} rows are too few to train and measure", nameof(rows));
        var layout = FeatureLayout.FromSamples(train.Select(r => r.Features));
        var ml = new MLContext(o.Seed);
        var trainData = Load(ml, layout, train, label);
        var testData = Load(ml, layout, test, label);

        var trees = ml.BinaryClassification.Trainers.FastTree(MlRows.Boosted(new FastTreeBinaryTrainer.Options(), o, nameof(FeatureRow.Label))).Fit(trainData);
        var baseline = ml.Transforms.NormalizeMeanVariance(nameof(FeatureRow.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(nameof(FeatureRow.Label), nameof(FeatureRow.Features)))
            .Fit(trainData);

        var metrics = new Dictionary<string, double>();
        Measure(ml, trees, testData, metrics, "");
        Measure(ml, baseline, testData, metrics, "baseline_");
        metrics["positive_rate"] = test.Count(r => label(r.Labels)) / (double)test.Count;
        metrics["test_rows"] = test.Count;
        var model = new BinaryModel(kind, layout, MlRows.Save(ml, trees, layout.Count));
        return new TrainedModel(kind == ModelKind.Propensity ? ModelNames.Propensity : ModelNames.Churn, model, metrics, train.Count, clock.Elapsed);
    }

    private static IDataView Load(MLContext ml, FeatureLayout layout, IEnumerable<TrainingRow> rows, Func<TrainingLabels, bool> label) =>
        MlRows.Load(ml, rows.Select(r => new FeatureRow { Features = layout.Vectorize(r.Features), Label = label(r.Labels) }), layout.Count);

    private static void Measure(MLContext ml, ITransformer model, IDataView test, Dictionary<string, double> into, string prefix)
    {
        var scored = model.Transform(test);
        var labels = scored.GetColumn<bool>(nameof(FeatureRow.Label)).ToArray();
        var p = scored.GetColumn<float>("Probability").ToArray();
        var m = labels.Distinct().Count() > 1 ? ml.BinaryClassification.Evaluate(scored, nameof(FeatureRow.Label)) : null;
        into[prefix + "auc"] = m?.AreaUnderRocCurve ?? double.NaN;
        into[prefix + "log_loss"] = m?.LogLoss ?? double.NaN;
        into[prefix + "calibration_error"] = CalibrationError(labels, p);
    }

    /// <summary>Expected calibration error over 10 equal-width probability bins: the row-weighted mean of
    /// |mean predicted − observed rate| per bin.</summary>
    public static double CalibrationError(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities)
    {
        var count = new int[10];
        var predicted = new double[10];
        var observed = new double[10];
        for (var i = 0; i < labels.Count; i++)
        {
            var b = Math.Clamp((int)(probabilities[i] * 10), 0, 9);
            count[b]++;
            predicted[b] += probabilities[i];
            observed[b] += labels[i] ? 1 : 0;
        }

        var error = 0.0;
        for (var b = 0; b < 10; b++)
        {
            if (count[b] > 0) error += Math.Abs(predicted[b] - observed[b]) / labels.Count;
        }

        return error;
    }
}
