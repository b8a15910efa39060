namespace DmpActors.Traffic.Measurement;

/// <summary>Nearest-rank percentiles of a set of latency samples (any unit; the caller's).</summary>
public sealed record LatencySummary(int Count, double Min, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencySummary Of(IEnumerable<double> samples)
    {
        var sorted = samples.ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no latency samples", nameof(samples));
        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, sorted[0], Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99),
            Rank(sorted, 0.999), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="q"/> of the samples at or below it.</summary>
    public static double Rank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
