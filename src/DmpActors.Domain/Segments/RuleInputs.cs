namespace DmpActors.Domain.Segments;

/// <summary>RFM scores of one user (1–5 each, 5 best) and the named segment the RFM model put them in.</summary>
public sealed record RfmScores(int Recency, int Frequency, int Monetary, string Segment);

/// <summary>
/// Inputs a rule reads that the profile does not hold (yet): RFM, model scores and clusters of the user being
/// evaluated. Every lookup returns null when unknown; a comparison with an unknown value is false and
/// <c>exists(...)</c> of it is false.
/// </summary>
public interface IRuleInputs
{
    RfmScores? Rfm { get; }

    /// <summary>The score a model (e.g. "churn") gave the user.</summary>
    double? Score(string model);

    /// <summary>The cluster a clustering model (e.g. "behaviour") assigned the user to.</summary>
    int? Cluster(string model);
}

/// <summary>No external inputs: every RFM, score and cluster lookup is unknown.</summary>
public sealed class NoRuleInputs : IRuleInputs
{
    public static NoRuleInputs Instance { get; } = new();

    private NoRuleInputs() { }

    public RfmScores? Rfm => null;

    public double? Score(string model) => null;

    public int? Cluster(string model) => null;
}

/// <summary>Fixed external inputs, for tests, previews and callers that already hold them.</summary>
public sealed record RuleInputs(RfmScores? Rfm, IReadOnlyDictionary<string, double> Scores, IReadOnlyDictionary<string, int> Clusters) : IRuleInputs
{
    public double? Score(string model) => Scores.TryGetValue(model, out var s) ? s : null;

    public int? Cluster(string model) => Clusters.TryGetValue(model, out var c) ? c : null;
}
