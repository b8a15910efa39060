using DmpActors.Domain.Recommendations;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Ctr;
using DmpActors.Ml.Clustering;
using DmpActors.Ml.Clv;
using DmpActors.Ml.Propensity;

namespace DmpActors.Ml.Training;

/// <summary>What one training run reads: every sample (clusters, RFM) and the labelled rows among them (the
/// supervised models).</summary>
public sealed record TrainingSet(IReadOnlyList<FeatureSample> Samples, IReadOnlyList<TrainingRow> Rows)
{
    /// <summary>Labelled rows of served recommendations (the CTR model).</summary>
    public IReadOnlyList<CtrRow> CtrRows { get; init; } = [];
}

public sealed record TrainerOptions
{
    public ClusterOptions Clusters { get; init; } = new();
    public BoostingOptions Trees { get; init; } = new();

    /// <summary>Fewer labelled rows than this skip the supervised models (they would measure nothing).</summary>
    public int MinLabelledRows { get; init; } = 200;
}

/// <summary>Trains the requested models from one training set; a model without enough data is skipped, and the
/// reason is returned instead of a model.</summary>
public static class ModelTrainer
{
    public static (IReadOnlyList<TrainedModel> Models, IReadOnlyList<string> Skipped) Train(
        TrainingSet set, IReadOnlyCollection<string> names, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(names);
        var o = options ?? new TrainerOptions();
        var skipped = new List<string>();
        var runnable = new List<(string Name, ModelKind Kind)>();
        foreach (var name in names)
        {
            var kind = ModelNames.KindOf(name);
            var supervised = kind is ModelKind.Propensity or ModelKind.Churn or ModelKind.Clv;
            if (kind == ModelKind.Ctr && (set.CtrRows.Count < o.MinLabelledRows || !set.CtrRows.Any(r => r.Clicked)))
                skipped.Add($"{name}: {set.CtrRows.Count} labelled impressions ({set.CtrRows.Count(r => r.Clicked)} clicked), {o.MinLabelledRows} needed with a click");
            else if (supervised && set.Rows.Count < o.MinLabelledRows)
                skipped.Add($"{name}: {set.Rows.Count} labelled rows, {o.MinLabelledRows} needed");
            else if (kind == ModelKind.Clusters && set.Samples.Count < o.Clusters.MinK * 2)
                skipped.Add($"{name}: {set.Samples.Count} samples, {o.Clusters.MinK * 2} needed");
            else
                runnable.Add((name, kind));
        }

        // The models are independent: trained side by side, returned in the order asked for.
        var models = new TrainedModel[runnable.Count];
        Parallel.For(0, runnable.Count, i => models[i] = runnable[i].Kind switch
        {
            ModelKind.Clusters => BehaviourClustering.Train(set.Samples, o.Clusters),
            ModelKind.Rfm => RfmScoring.Train(set.Samples),
            ModelKind.Clv => ClvModel.Train(set.Rows, o.Trees),
            ModelKind.Ctr => CtrModels.Train(set.CtrRows, o.Trees),
            _ => BinaryModels.Train(runnable[i].Kind, set.Rows, o.Trees),
        });
        return (models, skipped);
    }
}
