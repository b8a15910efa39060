using System.Diagnostics;
using System.Text.Json;
using DmpActors.Domain.Recommendations;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace DmpActors.Ml.Ctr;

/// <summary>
/// The click-through model: the probability that a served item is clicked within the click window, from the features
/// it had when served (<see cref="CtrFeatures"/>). It scores items, not users: <see cref="Score(FeatureSample)"/> is NaN.
/// Thread-safe: each thread gets its own prediction engine.
/// </summary>
public sealed class CtrModel : IScoringModel
{
    private readonly byte[] _bytes;
    private readonly int _width;
    private readonly ThreadLocal<PredictionEngine<FeatureRow, ProbabilityOutput>> _engines;

    internal CtrModel(byte[] bytes, int width)
    {
        _bytes = bytes;
        _width = width;
        var ml = new MLContext();
        var transformer = MlRows.Restore(ml, bytes);
        var schema = MlRows.Schema(width);
        _engines = new ThreadLocal<PredictionEngine<FeatureRow, ProbabilityOutput>>(
            () => ml.Model.CreatePredictionEngine<FeatureRow, ProbabilityOutput>(transformer, inputSchemaDefinition: schema));
    }

    public ModelKind Kind => ModelKind.Ctr;

    public double Score(FeatureSample sample) => double.NaN;

    /// <summary>The click probability of one served item's features.</summary>
    public float Predict(float[] features)
    {
        if (features.Length != _width) return float.NaN;
        return _engines.Value!.Predict(new FeatureRow { Features = features }).Probability;
    }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(new StoredCtrModel(_width, _bytes));

    public static CtrModel Decode(byte[] bytes)
    {
        var stored = JsonSerializer.Deserialize<StoredCtrModel>(bytes) ?? throw new InvalidDataException("empty model");
        if (stored.Width != CtrFeatures.Count) throw new InvalidDataException($"a CTR model of {stored.Width} features, {CtrFeatures.Count} expected");
        return new CtrModel(stored.Model, stored.Width);
    }

    private sealed record StoredCtrModel(int Width, byte[] Model);
}

/// <summary>
/// Trains the CTR model: FastTree (Platt-calibrated) on the labelled rows of served items, held out by user (20 %),
/// measured beside two baselines in the same run: the item's own smoothed CTR when served, alone (baseline_auc), and L-BFGS
/// logistic regression on the same standardised features (logistic_auc). Metrics: auc, log_loss, calibration_error,
/// baseline_auc, logistic_auc, positive_rate, test_rows.
/// </summary>
public static class CtrModels
{
    public static TrainedModel Train(IReadOnlyList<CtrRow> rows, BoostingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var o = options ?? new BoostingOptions();
        var clock = Stopwatch.StartNew();
        var thinned = MlRows.Thin(rows, o.MaxRows);
        var train = thinned.Where(r => !MlRows.InHoldout(r.UserId)).ToList();
        var test = thinned.Where(r => MlRows.InHoldout(r.UserId)).ToList();
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException($"{rows.Count} rows are too few to train and measure", nameof(rows));
        var width = CtrFeatures.Count;
        var ml = new MLContext(o.Seed);
        var trainData = MlRows.Load(ml, train.Select(Row), width);
        var testData = MlRows.Load(ml, test.Select(Row), width);
        var trees = ml.BinaryClassification.Trainers.FastTree(MlRows.Boosted(new FastTreeBinaryTrainer.Options(), o, nameof(FeatureRow.Label)))
            .Fit(trainData);

        var logistic = ml.Transforms.NormalizeMeanVariance(nameof(FeatureRow.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(nameof(FeatureRow.Label), nameof(FeatureRow.Features)))
            .Fit(trainData);
        var scored = trees.Transform(testData);
        var labels = scored.GetColumn<bool>(nameof(FeatureRow.Label)).ToArray();
        var p = scored.GetColumn<float>("Probability").ToArray();
        var both = labels.Distinct().Count() > 1;
        var metrics = new Dictionary<string, double>
        {
            ["auc"] = both ? ml.BinaryClassification.Evaluate(scored, nameof(FeatureRow.Label)).AreaUnderRocCurve : double.NaN,
            ["log_loss"] = both ? ml.BinaryClassification.Evaluate(scored, nameof(FeatureRow.Label)).LogLoss : double.NaN,
            ["calibration_error"] = Propensity.BinaryModels.CalibrationError(labels, p),
            ["baseline_auc"] = both ? Auc(labels, test.Select(r => r.Features[CtrFeatures.ItemCtr]).ToArray()) : double.NaN,
            ["logistic_auc"] = both ? ml.BinaryClassification.Evaluate(logistic.Transform(testData), nameof(FeatureRow.Label)).AreaUnderRocCurve : double.NaN,
            ["positive_rate"] = labels.Count(l => l) / (double)labels.Length,
            ["test_rows"] = test.Count,
        };
        var model = new CtrModel(MlRows.Save(ml, trees, width), width);
        return new TrainedModel(ModelNames.Ctr, model, metrics, train.Count, clock.Elapsed);
    }

    private static FeatureRow Row(CtrRow r) => new() { Features = r.Features, Label = r.Clicked };

    /// <summary>Area under the ROC curve of <paramref name="scores"/> (ties share their rank: Mann–Whitney).</summary>
    public static double Auc(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j < order.Length && scores[order[j]].Equals(scores[order[i]])) j++;
            var rank = (i + j + 1) / 2.0; // mean of ranks i+1..j
            for (var k = i; k < j; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }

            i = j;
        }

        var negatives = labels.Count - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2.0) / (positives * negatives);
    }
}
