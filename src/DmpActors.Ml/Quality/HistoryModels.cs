using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Clv;
using DmpActors.Ml.Propensity;
using DmpActors.Ml.Training;

namespace DmpActors.Ml.Quality;

/// <summary>The CLV and churn scores of every user at the cutoff, the models' own held-out metrics, and how many rows they learnt from.</summary>
public sealed record HistoryScores(
    IReadOnlyDictionary<string, double> Spend,
    IReadOnlyDictionary<string, double> Churn,
    int TrainingRows,
    IReadOnlyDictionary<string, double> ClvMetrics,
    IReadOnlyDictionary<string, double> ChurnMetrics);

/// <summary>
/// The coordinator's CLV and churn models (<see cref="ClvModel"/>, <see cref="BinaryModels"/>, same trees, same
/// features) trained on point-in-time rows of a history and scored at its end. Rows are taken every
/// <c>step</c> back from <c>cutoff − horizon</c>, so every label window closes before the cutoff; the history must
/// hold no event at or after the cutoff (checked), so nothing after it can reach a feature or a label.
/// </summary>
public static class HistoryModels
{
    public const int Snapshots = 12;
    public static readonly TimeSpan Step = TimeSpan.FromDays(14);

    /// <summary>Null when the history gives fewer labelled rows than <paramref name="minRows"/>.</summary>
    public static HistoryScores? Fit(IReadOnlyDictionary<string, IReadOnlyList<UserEvent>> history, DateTimeOffset cutoff, TimeSpan horizon,
        int minRows = 200, BoostingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Values.SelectMany(e => e).Any(e => e.Timestamp >= cutoff))
            throw new ArgumentException("the history holds events at or after the cutoff", nameof(history));
        var rules = ProfileRules.Default;
        var horizons = new LabelHorizons { Purchase = horizon, Churn = horizon, Value = horizon };
        var users = history.Select(p => (p.Key, p.Value)).ToList();
        var rows = new List<TrainingRow>();
        for (var j = 0; j < Snapshots; j++)
            rows.AddRange(TrainingRows.ForPopulation(users, cutoff - horizon - j * Step, rules, horizons));
        if (rows.Count < minRows || rows.Select(r => r.Labels.Churned).Distinct().Count() < 2) return null;

        var clv = ClvModel.Train(rows, options);
        var churn = BinaryModels.Train(ModelKind.Churn, rows, options);
        var now = TrainingRows.ForPopulation(users, cutoff, rules, horizons);
        return new HistoryScores(
            now.ToDictionary(r => r.Features.UserId, r => clv.Model.Score(r.Features), StringComparer.Ordinal),
            now.ToDictionary(r => r.Features.UserId, r => churn.Model.Score(r.Features), StringComparer.Ordinal),
            rows.Count, clv.Metrics, churn.Metrics);
    }
}
