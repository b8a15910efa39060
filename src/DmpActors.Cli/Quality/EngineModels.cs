using System.Globalization;
using DmpActors.Cli.Import;
using DmpActors.Domain.Events;
using DmpActors.Domain.Import;
using DmpActors.Domain.Quality;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Quality;

namespace DmpActors.Cli.Quality;

/// <summary>
/// The engine's own models on the history of a split: the history's invoices become the events the import sends
/// (<see cref="OnlineRetailImport"/>), the coordinator's CLV and churn models learn from point-in-time rows of them and
/// score every customer at the cutoff, and the engine's RFM and behavioural clusters segment them there. Only invoices
/// dated on or before the last history day are read, so nothing of the holdout can reach a feature or a label.
/// </summary>
public static class EngineModels
{
    public static EngineAnswers Measure(IReadOnlyList<OnlineRetailFile.Invoice> invoices, TimeSplit split, DateOnly lastHistoryDay, TimeZoneInfo zone, int replicates, int seed,
        Action<string> progress, IReadOnlyList<(string Model, IReadOnlyDictionary<string, IReadOnlyList<string>> Lists)> recommendations)
    {
        progress("engine models: the history as events…");
        var history = Events(invoices.Where(i => DateOnly.FromDateTime(i.LocalTime) <= lastHistoryDay), split, zone);
        var facts = new List<(string, string)>();
        progress("engine CLV and churn models: point-in-time rows and training…");
        var scores = HistoryModels.Fit(history, split.Cutoff, TimeSpan.FromDays(split.HoldoutDays));
        if (scores is null) facts.Add(("engine CLV and churn models", "not trained: too few labelled rows in the history"));
        else
            facts.Add(("engine CLV and churn models", Invariant($"FastTree as the model coordinator trains them, on {scores.TrainingRows:N0} point-in-time rows ") +
                Invariant($"({HistoryModels.Snapshots} snapshots {HistoryModels.Step.TotalDays:0} days apart, the latest at the cutoff − {split.HoldoutDays:0} days, labels over the next {split.HoldoutDays:0} days); ") +
                Invariant($"their own 20 % held-out users: churn AUC {scores.ChurnMetrics["auc"]:0.000} (logistic {scores.ChurnMetrics["baseline_auc"]:0.000}), ") +
                Invariant($"CLV MAE {scores.ClvMetrics["mae"]:0.0} (carried forward {scores.ClvMetrics["baseline_mae"]:0.0})")));

        progress("segments: RFM and clusters on log1p RFM at the cutoff…");
        var samples = TrainingRows.ForPopulation(history.Select(p => (p.Key, p.Value)), split.Cutoff, Domain.Profiles.ProfileRules.Default, LabelHorizons.Default)
            .ToDictionary(r => r.Features.UserId, r => r.Features, StringComparer.Ordinal);
        var customers = split.Customers
            .Select(c => (Id: c, Sample: samples.GetValueOrDefault(OnlineRetailImport.UserIdOf(c))))
            .Where(c => c.Sample is not null && RfmInput.Of(c.Sample) is not null)
            .Select(c => new SegmentCustomer(c.Id, RfmInput.Of(c.Sample!)!.Value, (double)split.History[c.Id].Sum(o => o.Revenue),
                (double)split.HoldoutOf(c.Id).Sum(o => o.Revenue)))
            .ToList();
        var (tables, k) = customers.Count > SegmentQuality.MaxK
            ? SegmentQuality.Measure(customers, replicates, seed)
            : ([], 0);
        if (k > 0) facts.Add(("behavioural clusters on log1p RFM", Invariant($"k = {k} chosen by silhouette among {SegmentQuality.MinK}–{SegmentQuality.MaxK}")));

        return new EngineAnswers
        {
            Recommendations = recommendations,
            Spend = scores?.Spend.ToDictionary(p => CustomerOf(p.Key), p => p.Value, StringComparer.Ordinal),
            Churn = scores?.Churn.ToDictionary(p => CustomerOf(p.Key), p => p.Value, StringComparer.Ordinal),
            Tables = tables,
            Facts = facts,
        };
    }

    /// <summary>Each customer's events of the given invoices, in time order, for the customers of the split only.</summary>
    private static Dictionary<string, IReadOnlyList<UserEvent>> Events(IEnumerable<OnlineRetailFile.Invoice> invoices, TimeSplit split, TimeZoneInfo zone)
    {
        var import = new OnlineRetailImport(zone);
        var known = split.Customers.Select(OnlineRetailImport.UserIdOf).ToHashSet(StringComparer.Ordinal);
        var events = new Dictionary<string, List<UserEvent>>(StringComparer.Ordinal);
        foreach (var e in invoices.SelectMany(i => import.Invoice(i.Lines)))
        {
            if (e.UserId is not { } user || !known.Contains(user)) continue;
            (events.TryGetValue(user, out var list) ? list : events[user] = []).Add(e);
        }

        return events.ToDictionary(p => p.Key, p => (IReadOnlyList<UserEvent>)p.Value.OrderBy(e => e.Timestamp).ToList(), StringComparer.Ordinal);
    }

    private static string CustomerOf(string userId) => userId["retail-".Length..];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
