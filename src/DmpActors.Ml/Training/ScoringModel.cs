using DmpActors.Domain.Scores;

namespace DmpActors.Ml.Training;

/// <summary>The kinds of model the coordinator trains; each has its own name in rules and APIs.</summary>
public enum ModelKind
{
    /// <summary>KMeans behavioural clusters; scores are cluster numbers from 0.</summary>
    Clusters,

    /// <summary>Probability of a purchase within the propensity horizon.</summary>
    Propensity,

    /// <summary>Probability of no visit within the churn horizon.</summary>
    Churn,

    /// <summary>Expected purchase revenue within the value horizon.</summary>
    Clv,

    /// <summary>RFM quintile cut points.</summary>
    Rfm,

    /// <summary>Click probability of a recommended item (scores items, not users).</summary>
    Ctr,
}

/// <summary>A trained model a node can score with. Implementations are immutable and thread-safe.</summary>
public interface IScoringModel
{
    ModelKind Kind { get; }

    /// <summary>The model's score of one user (a cluster number for clusters; NaN when the model cannot score).</summary>
    double Score(FeatureSample sample);

    /// <summary>The model in its stored and wire form (see <see cref="ModelCodec"/>).</summary>
    byte[] Encode();
}

/// <summary>A model as it leaves training: the model, its metrics (and its baseline's, prefixed "baseline_"),
/// how many rows it learned from and how long it took.</summary>
public sealed record TrainedModel(string Name, IScoringModel Model, IReadOnlyDictionary<string, double> Metrics, int Rows, TimeSpan Duration);

/// <summary>The standard model names.</summary>
public static class ModelNames
{
    public const string Behaviour = "behaviour", Propensity = "propensity", Churn = "churn", Clv = "clv", Rfm = "rfm", Ctr = "ctr";

    public static IReadOnlyList<string> All { get; } = [Behaviour, Propensity, Churn, Clv, Rfm, Ctr];

    public static ModelKind KindOf(string name) => name switch
    {
        Behaviour => ModelKind.Clusters,
        Propensity => ModelKind.Propensity,
        Churn => ModelKind.Churn,
        Clv => ModelKind.Clv,
        Rfm => ModelKind.Rfm,
        Ctr => ModelKind.Ctr,
        _ => throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", All)}", nameof(name)),
    };
}

/// <summary>How the tree models (propensity, churn, value) train. Small trees with large leaves and a low learning
/// rate: behaviour data is noisy, and deeper trees fitted the noise of the generated shop (worse held-out AUC than the
/// logistic baseline).</summary>
public sealed record BoostingOptions(int Trees = 100, int Leaves = 8, int MinRowsPerLeaf = 50, double LearningRate = 0.05,
    int MaxRows = 200_000, int Seed = 1);
