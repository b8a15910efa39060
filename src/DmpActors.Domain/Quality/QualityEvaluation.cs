using System.Globalization;

namespace DmpActors.Domain.Quality;

/// <summary>One line of a results table: a model and its measures, each null when the model cannot be measured yet.</summary>
public sealed record ResultRow(string Model, IReadOnlyList<Estimate?> Values)
{
    public static ResultRow NotMeasured(string model, int columns) => new(model, new Estimate?[columns]);
}

/// <summary>A results table: its title, the measures it reports, a row per model, and what the reader needs to read it.</summary>
public sealed record ResultTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<ResultRow> Rows, string Note);

/// <summary>Everything the quality run measured, and the facts of the population it was measured on.</summary>
public sealed record QualityResults(IReadOnlyList<ResultTable> Tables, IReadOnlyList<(string Fact, string Value)> Facts, double HighestChurnAuc)
{
    /// <summary>An AUC this high on a three-month churn label means the features saw the future.</summary>
    public const double LeakageAuc = 0.9;

    public bool LooksLeaky => HighestChurnAuc > LeakageAuc;
}

/// <summary>
/// The baselines of next-basket recommendation, 90-day spend and churn, fitted on the history of a <see cref="TimeSplit"/>
/// and measured on its holdout, each with a percentile bootstrap 95 % interval over customers (the same resamples for
/// every model of a table, so their intervals compare). Rows for the engine's own models say "not measured yet".
/// </summary>
public static class QualityEvaluation
{
    public const int K = 10;

    private static readonly string[] RankingColumns = ["Recall@10", "NDCG@10", "HR@10", "repeat recall@10", "new-item recall@10", "coverage"];
    private static readonly string[] SpendColumns = ["Spearman", "Gini (normalised)", "MAE (GBP)"];
    private static readonly string[] ChurnColumns = ["ROC AUC"];

    public static QualityResults Run(TimeSplit split, int replicates = Bootstrap.DefaultReplicates, int seed = 1, Action<string>? progress = null,
        EngineAnswers? engine = null)
    {
        progress ??= _ => { };
        engine ??= new EngineAnswers();
        var facts = new List<(string, string)>
        {
            ("customers with a history", Count(split.Customers.Count)),
            ("history orders", Count(split.History.Values.Sum(o => o.Count))),
            ("customers who buy in the holdout", Count(split.Customers.Count(c => split.HoldoutOf(c).Count > 0))),
        };
        facts.AddRange(engine.Facts);
        var tables = new List<ResultTable> { Recommendations(split, replicates, seed, progress, facts, engine) };
        var (spend, churn, highest) = SpendAndChurn(split, replicates, seed, progress, facts, engine);
        tables.Add(spend);
        tables.Add(churn);
        tables.AddRange(engine.Tables);
        return new QualityResults(tables, facts, highest);
    }

    private static ResultTable Recommendations(TimeSplit split, int replicates, int seed, Action<string> progress, List<(string, string)> facts,
        EngineAnswers engine)
    {
        var counts = new PurchaseCounts(split.History);
        progress("item-kNN: co-occurrence of the history's items…");
        var itemKnn = new ItemKnn(split.History, counts);
        progress("TIFU-KNN: customer vectors…");
        var tifu = new TifuKnn(split.History, counts);
        progress("ALS: factorising the history's customer × item matrix…");
        var als = new ImplicitAls(counts, split.Customers);
        INextBasketModel[] baselines = [als, new GlobalTopFrequency(counts), new PersonalTopFrequency(counts), new PersonalThenGlobal(counts), itemKnn, tifu];
        var models = engine.Recommendations.Select(r => (INextBasketModel)new AnsweredLists(r.Model, r.Lists)).Concat(baselines).ToList();
        facts.Add(("catalogue (items sold in the history)", Count(counts.Popular.Count)));
        facts.Add(("TIFU-KNN parameters", Invariant($"group size {tifu.Settings.GroupSize}, within-group decay {tifu.Settings.WithinGroupDecay}, ") + Invariant(
            $"across-group decay {tifu.Settings.AcrossGroupDecay}, neighbours {tifu.Settings.NeighbourCount}, alpha {tifu.Settings.Alpha}")));
        facts.Add(("ALS parameters", Invariant($"{als.Settings.Factors} factors, regularisation {als.Settings.Regularisation}, ") +
            Invariant($"confidence 1 + {als.Settings.Alpha} × orders, {als.Settings.Iterations} sweeps")));

        var buyers = split.Customers.Where(c => split.HoldoutOf(c).Count > 0).ToList();
        var rows = new List<ResultRow>();
        if (engine.Recommendations.Count == 0) rows.Add(ResultRow.NotMeasured(EngineAnswers.DefaultRecommendations, RankingColumns.Length));
        foreach (var model in models)
        {
            progress($"{model.Name}: top-{K} for {buyers.Count:N0} customers…");
            var units = buyers.Select(c =>
            {
                var list = model.Recommend(c, K);
                var next = split.HoldoutOf(c)[0].Items.ToHashSet(StringComparer.Ordinal);
                return (List: list, Score: RankingMetrics.Score(list, next, counts.Of(c).Keys.ToHashSet(StringComparer.Ordinal), K));
            }).ToList();
            var values = new Func<IReadOnlyList<(IReadOnlyList<string> List, BasketScore Score)>, double>[]
            {
                s => s.Average(u => u.Score.Recall), s => s.Average(u => u.Score.Ndcg), s => s.Average(u => u.Score.Hit),
                s => MeanOf(s.Select(u => u.Score.RepeatRecall)), s => MeanOf(s.Select(u => u.Score.NewRecall)),
            };
            var typed = units.Select(u => ((IReadOnlyList<string>)u.List, u.Score)).ToList();
            var coverage = Estimate.WithoutInterval(RankingMetrics.Coverage(units.Select(u => (IReadOnlyList<string>)u.List), K, counts.Popular.Count));
            rows.Add(new ResultRow(model.Name, [.. values.Select(v => (Estimate?)Bootstrap.Interval(typed, v, replicates, seed)), coverage]));
        }

        return new ResultTable("Next-basket recommendations", RankingColumns, rows,
            Invariant($"Top-{K} asked at the cutoff for each of the {buyers.Count:N0} customers who buy in the holdout, against the items of their first holdout order. ") +
            "Repeat recall counts only the items they had bought before, new-item recall the others; coverage is the share of the catalogue in some list " +
            "(a property of all the lists together, so without an interval).");
    }

    private static (ResultTable Spend, ResultTable Churn, double HighestAuc) SpendAndChurn(TimeSplit split, int replicates, int seed, Action<string> progress,
        List<(string, string)> facts, EngineAnswers engine)
    {
        progress("BG/NBD and Gamma-Gamma: fitting on the history…");
        var repeats = split.Customers.Select(c => Repeats.Of(split.History[c], split.Cutoff)).ToList();
        var bgNbd = BgNbd.Fit(repeats);
        var gammaGamma = GammaGamma.Fit(repeats.Select(r => (r.X, r.MeanValue)).ToList());
        facts.Add(("BG/NBD fit (days)", Invariant($"r {bgNbd.R:0.###}, alpha {bgNbd.Alpha:0.###}, a {bgNbd.A:0.####}, b {bgNbd.B:0.###} ") +
            Invariant($"(mean drop-out chance per repeat purchase a/(a+b) = {bgNbd.A / (bgNbd.A + bgNbd.B):G3})")));
        facts.Add(("Gamma-Gamma fit (GBP)", Invariant($"p {gammaGamma.P:0.###}, q {gammaGamma.Q:0.###}, gamma {gammaGamma.Gamma:0.###}")));

        var recent = split.Cutoff.AddDays(-90);
        var units = split.Customers.Select((c, i) =>
        {
            var r = repeats[i];
            var actual = (double)split.HoldoutOf(c).Sum(o => o.Revenue);
            var lastNinety = (double)split.History[c].Where(o => o.At >= recent).Sum(o => o.Revenue);
            var model = bgNbd.ExpectedTransactions(r, split.HoldoutDays) * gammaGamma.ExpectedValue(r.X, r.MeanValue);
            var recency = (split.Cutoff - split.History[c][^1].At).TotalDays;
            return new Customer(actual, lastNinety, model, recency, 1 - bgNbd.ProbabilityAlive(r),
                bgNbd.ProbabilityNoTransactions(r, split.HoldoutDays), split.HoldoutOf(c).Count == 0,
                engine.Spend?.GetValueOrDefault(c) ?? 0, engine.Churn?.GetValueOrDefault(c) ?? 0);
        }).ToList();
        facts.Add(("customers with no order in the holdout (churned)", Invariant($"{units.Count(u => u.Churned):N0} ({units.Count(u => u.Churned) / (double)units.Count:P1})")));

        progress("90-day spend and churn: bootstrap intervals…");
        var spendRows = new List<ResultRow>();
        var spendModels = new List<(string, Func<Customer, double>)> { ("same as the last 90 days", u => u.LastNinety), ("BG/NBD + Gamma-Gamma", u => u.Model) };
        if (engine.Spend is null) spendRows.Add(ResultRow.NotMeasured(EngineAnswers.ClvModel, SpendColumns.Length));
        else spendModels.Insert(0, (EngineAnswers.ClvModel, u => u.EngineSpend));
        foreach (var (name, predict) in spendModels)
            spendRows.Add(new ResultRow(name, new Func<IReadOnlyList<Customer>, double>[]
            {
                s => ScoreMetrics.Spearman(s.Select(predict).ToList(), s.Select(u => u.Actual).ToList()),
                s => ScoreMetrics.NormalisedGini(s.Select(predict).ToList(), s.Select(u => u.Actual).ToList()),
                s => ScoreMetrics.Mae(s.Select(predict).ToList(), s.Select(u => u.Actual).ToList()),
            }.Select(v => (Estimate?)Bootstrap.Interval(units, v, replicates, seed)).ToList()));

        var churnRows = new List<ResultRow>();
        var churnModels = new List<(string, Func<Customer, double>)> { ("recency (days since the last order)", u => u.Recency), ("BG/NBD 1 − P(alive)", u => u.Dead),
            ("BG/NBD P(no order in the holdout)", u => u.Silent) };
        if (engine.Churn is null) churnRows.Add(ResultRow.NotMeasured(EngineAnswers.ChurnModel, ChurnColumns.Length));
        else churnModels.Insert(0, (EngineAnswers.ChurnModel, u => u.EngineChurn));
        var highest = 0.0;
        foreach (var (name, score) in churnModels)
        {
            var auc = Bootstrap.Interval(units, s => ScoreMetrics.RocAuc(s.Select(score).ToList(), s.Select(u => u.Churned).ToList()), replicates, seed);
            highest = Math.Max(highest, auc.Value);
            churnRows.Add(new ResultRow(name, [auc]));
        }

        var spend = new ResultTable("90-day spend (CLV)", SpendColumns, spendRows,
            Invariant($"Predicted against actual holdout revenue ({split.HoldoutDays:0} days) of all {units.Count:N0} customers with a history, returning or not. ") +
            "BG/NBD counts repeat purchase days, Gamma-Gamma their mean value; a customer without repeats is valued at the population mean.");
        var churn = new ResultTable("Churn (no order in the holdout)", ChurnColumns, churnRows,
            Invariant($"Scored at the cutoff for the same {units.Count:N0} customers; an AUC above {QualityResults.LeakageAuc} would mean the scores saw the holdout. ") +
            "P(alive) is 1 for every customer without a repeat purchase, however long ago they bought; P(no order) also weighs how often the customer buys.");
        return (spend, churn, highest);
    }

    private sealed record Customer(double Actual, double LastNinety, double Model, double Recency, double Dead, double Silent, bool Churned,
        double EngineSpend, double EngineChurn);

    private static double MeanOf(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count == 0 ? 0 : present.Average();
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
