namespace DmpActors.Domain.Quality;

/// <summary>
/// What the engine's own models answered for the customers of a split, measured by <see cref="QualityEvaluation"/>
/// beside the baselines with the same resamples: top-k lists per customer (one set per way of asking), the 90-day spend
/// and churn scores per customer, and whole tables measured elsewhere (segments). A part left out reads
/// "not measured yet".
/// </summary>
public sealed record EngineAnswers
{
    public const string DefaultRecommendations = "engine default (GET recommendations)";
    public const string ClvModel = "engine CLV model";
    public const string ChurnModel = "engine churn model";

    public IReadOnlyList<(string Model, IReadOnlyDictionary<string, IReadOnlyList<string>> Lists)> Recommendations { get; init; } = [];

    /// <summary>Predicted holdout revenue per customer id.</summary>
    public IReadOnlyDictionary<string, double>? Spend { get; init; }

    /// <summary>Churn score per customer id (higher = more likely to buy nothing in the holdout).</summary>
    public IReadOnlyDictionary<string, double>? Churn { get; init; }

    public IReadOnlyList<ResultTable> Tables { get; init; } = [];

    public IReadOnlyList<(string Fact, string Value)> Facts { get; init; } = [];
}

/// <summary>Lists answered by someone else (the engine over HTTP), replayed as a model; a customer not answered gets none.</summary>
public sealed class AnsweredLists(string name, IReadOnlyDictionary<string, IReadOnlyList<string>> lists) : INextBasketModel
{
    public string Name => name;

    public IReadOnlyList<string> Recommend(string customer, int k) =>
        lists.TryGetValue(customer, out var list) ? list.Take(k).ToList() : [];
}
