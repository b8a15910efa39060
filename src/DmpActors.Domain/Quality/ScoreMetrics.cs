namespace DmpActors.Domain.Quality;

/// <summary>Measures of a per-customer prediction against what happened: rank correlation, concentration and error for
/// spend, ROC AUC for a binary outcome. Ties are shared fairly everywhere (average ranks), so the input order never matters.</summary>
public static class ScoreMetrics
{
    /// <summary>Spearman's rank correlation: Pearson's correlation of the average ranks (0 when either side is constant).</summary>
    public static double Spearman(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        Same(predicted, actual);
        return Pearson(Ranks(predicted), Ranks(actual));
    }

    /// <summary>Mean absolute error.</summary>
    public static double Mae(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        Same(predicted, actual);
        return predicted.Count == 0 ? 0 : predicted.Zip(actual, (p, a) => Math.Abs(p - a)).Average();
    }

    /// <summary>
    /// The normalised Gini used to judge customer-value models: the Gini of the actual values ordered by the prediction,
    /// over the Gini of the actual values ordered by themselves. 1 means the prediction orders customers exactly as their
    /// value does, 0 no better than chance. Customers with equal predictions share their group's mean actual value
    /// (ties cannot be ordered by a model).
    /// </summary>
    public static double NormalisedGini(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        Same(predicted, actual);
        var best = Gini(actual, actual);
        return best == 0 ? 0 : Gini(predicted, actual) / best;
    }

    /// <summary>ROC AUC: the chance that a random positive scores above a random negative, a tie counting a half
    /// (the Mann–Whitney statistic). 0.5 when either class is empty.</summary>
    public static double RocAuc(IReadOnlyList<double> score, IReadOnlyList<bool> positive)
    {
        if (score.Count != positive.Count) throw new ArgumentException("scores and outcomes differ in length");
        var ranks = Ranks(score);
        long positives = positive.Count(p => p), negatives = positive.Count - positives;
        if (positives == 0 || negatives == 0) return 0.5;
        var sum = ranks.Where((_, i) => positive[i]).Sum();
        return (sum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    /// <summary>Ranks from 1, ties given the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            var rank = (start + end) / 2.0 + 1;
            for (var j = start; j <= end; j++) ranks[order[j]] = rank;
            start = end + 1;
        }

        return ranks;
    }

    private static double Gini(IReadOnlyList<double> orderBy, IReadOnlyList<double> actual)
    {
        var n = actual.Count;
        var total = actual.Sum();
        if (n == 0 || total == 0) return 0;
        // Highest prediction first; a group of ties contributes as if each member held the group's mean.
        var groups = Enumerable.Range(0, n).GroupBy(i => orderBy[i]).OrderByDescending(g => g.Key);
        double cumulative = 0, area = 0;
        foreach (var group in groups)
        {
            var members = group.ToList();
            var mean = members.Sum(i => actual[i]) / members.Count;
            foreach (var _ in members)
            {
                cumulative += mean;
                area += cumulative / total;
            }
        }

        return area / n - (n + 1) / (2.0 * n);
    }

    private static double Pearson(double[] x, double[] y)
    {
        if (x.Length < 2) return 0;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    private static void Same(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        if (predicted.Count != actual.Count) throw new ArgumentException("predictions and actual values differ in length");
    }
}
