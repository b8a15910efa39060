using DmpActors.Domain.Quality;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Clustering;
using Microsoft.ML;

namespace DmpActors.Ml.Quality;

/// <summary>One customer as segments see them at the cutoff (the engine's RFM inputs) and what they did afterwards.</summary>
public sealed record SegmentCustomer(string Id, RfmInput Rfm, double HistoryRevenue, double HoldoutRevenue);

/// <summary>
/// RFM named segments (the engine's <see cref="RfmModel"/>, fitted on these customers) and KMeans clusters (ML.NET,
/// k-means++) on standardised log1p recency, frequency and monetary: mean silhouette for each k, bootstrap stability
/// (ARI between the clustering of everyone and the clustering a resample of customers learns, applied to everyone),
/// and per segment its size, its history revenue and what it spent in the holdout (with intervals over its customers).
/// </summary>
public static class SegmentQuality
{
    public const int MinK = 2, MaxK = 8, StabilityResamples = 20;

    private static readonly string[] ChoiceColumns = ["silhouette", "stability (ARI)"];
    private static readonly string[] SegmentColumns = ["share of customers", "mean history revenue (GBP)", "mean holdout revenue (GBP)", "bought in the holdout"];

    public static (IReadOnlyList<ResultTable> Tables, int ChosenK) Measure(IReadOnlyList<SegmentCustomer> customers, int replicates, int seed)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var points = Standardised(customers);
        var ml = new MLContext(seed);
        var choice = new List<ResultRow>();
        var (bestK, bestSilhouette) = (MinK, double.NegativeInfinity);
        int[] bestLabels = [];
        for (var k = MinK; k <= Math.Min(MaxK, points.Length - 1); k++)
        {
            var labels = Assign(points, BehaviourClustering.Fit(ml, points, 3, k));
            var silhouette = Silhouette.Of(points, labels, k);
            choice.Add(new ResultRow($"k = {k}", [Estimate.WithoutInterval(silhouette), Stability(ml, points, labels, k, seed)]));
            if (silhouette > bestSilhouette) (bestK, bestSilhouette, bestLabels) = (k, silhouette, labels);
        }

        choice = choice.Select(r => r.Model == $"k = {bestK}" ? r with { Model = r.Model + " (chosen)" } : r).ToList();
        var rfm = RfmModel.Fit(customers.Select(c => c.Rfm));
        var named = customers.Select(c => rfm.Score(c.Rfm).Segment).ToArray();
        // Clusters are numbered by mean history revenue, highest first, so "cluster 1" reads the same in every run.
        var order = Enumerable.Range(0, bestK).OrderByDescending(k => MeanOf(customers, bestLabels, k)).ToArray();
        var clusters = bestLabels.Select(l => $"cluster {Array.IndexOf(order, l) + 1} of {bestK}").ToArray();

        var groups = RfmModel.Segments.Select(s => ("RFM " + s, named))
            .Concat(Enumerable.Range(1, bestK).Select(k => ($"cluster {k} of {bestK}", clusters)));
        var rows = new List<ResultRow>();
        foreach (var (name, of) in groups)
        {
            var mine = customers.Where((_, i) => of[i] == name.Replace("RFM ", "", StringComparison.Ordinal)).ToList();
            if (mine.Count == 0) continue;
            rows.Add(new ResultRow($"{name} ({mine.Count:N0} customers)",
            [
                Estimate.WithoutInterval(mine.Count / (double)customers.Count),
                Bootstrap.Interval(mine, s => s.Average(c => c.HistoryRevenue), replicates, seed),
                Bootstrap.Interval(mine, s => s.Average(c => c.HoldoutRevenue), replicates, seed),
                Bootstrap.Interval(mine, s => s.Average(c => c.HoldoutRevenue > 0 ? 1.0 : 0.0), replicates, seed),
            ]));
        }

        var n = customers.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        return ([
            new ResultTable("Behavioural clusters on log1p RFM: choosing k", ChoiceColumns, choice,
                $"KMeans (k-means++) on the standardised log1p of days since the last order, orders and revenue of the {n} customers at the cutoff. " +
                $"Silhouette over all of them; stability is the mean ARI between the clustering of everyone and the clustering that each of {StabilityResamples} " +
                "bootstrap resamples of customers learns, applied to everyone (interval: the 2.5th–97.5th percentile of those ARIs). The chosen k has the highest silhouette."),
            new ResultTable("Segments and what they spent next", SegmentColumns, rows,
                "RFM named segments (quintile cut points fitted on these customers, as the engine's rfm model) and the chosen clusters, at the cutoff. " +
                "Revenue means and the share who bought in the holdout carry bootstrap intervals over the segment's customers: segments separate future value " +
                "where those intervals do not overlap."),
        ], bestK);
    }

    private static float[][] Standardised(IReadOnlyList<SegmentCustomer> customers)
    {
        var raw = customers.Select(c => new[] { Math.Log(1 + c.Rfm.RecencyDays), Math.Log(1 + c.Rfm.Frequency), Math.Log(1 + Math.Max(0, c.Rfm.Monetary)) }).ToArray();
        var points = raw.Select(_ => new float[3]).ToArray();
        for (var j = 0; j < 3; j++)
        {
            var mean = raw.Average(r => r[j]);
            var sd = Math.Sqrt(raw.Average(r => (r[j] - mean) * (r[j] - mean)));
            for (var i = 0; i < raw.Length; i++) points[i][j] = (float)(sd > 1e-9 ? (raw[i][j] - mean) / sd : 0);
        }

        return points;
    }

    private static Estimate Stability(MLContext ml, float[][] points, int[] labels, int k, int seed)
    {
        var random = new Random(seed);
        var agreement = new double[StabilityResamples];
        for (var r = 0; r < StabilityResamples; r++)
        {
            var sample = Enumerable.Range(0, points.Length).Select(_ => points[random.Next(points.Length)]).ToArray();
            agreement[r] = AdjustedRandIndex.Of(labels, Assign(points, BehaviourClustering.Fit(ml, sample, 3, k)));
        }

        Array.Sort(agreement);
        return new Estimate(agreement.Average(), Bootstrap.Percentile(agreement, 0.025), Bootstrap.Percentile(agreement, 0.975));
    }

    private static int[] Assign(float[][] points, float[][] centroids) => points.Select(p =>
    {
        var (best, distance) = (0, double.PositiveInfinity);
        for (var c = 0; c < centroids.Length; c++)
        {
            var d = Silhouette.Distance(p, centroids[c]);
            if (d < distance) (best, distance) = (c, d);
        }

        return best;
    }).ToArray();

    private static double MeanOf(IReadOnlyList<SegmentCustomer> customers, int[] labels, int k)
    {
        var mine = customers.Where((_, i) => labels[i] == k).ToList();
        return mine.Count == 0 ? 0 : mine.Average(c => c.HistoryRevenue);
    }
}
