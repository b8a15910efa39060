namespace DmpActors.Domain.Quality;

/// <summary>A measured value with its percentile bootstrap interval (none for a value of the whole population that a
/// resample cannot estimate, such as catalogue coverage, which fewer distinct customers always lower).</summary>
public sealed record Estimate(double Value, double Low, double High)
{
    public static Estimate WithoutInterval(double value) => new(value, double.NaN, double.NaN);

    public bool HasInterval => !double.IsNaN(Low);

    public override string ToString() => HasInterval
        ? FormattableString.Invariant($"{Value:0.0000} [{Low:0.0000}, {High:0.0000}]")
        : FormattableString.Invariant($"{Value:0.0000}");
}

/// <summary>
/// Percentile bootstrap over customers: the statistic is recomputed on <c>replicates</c> resamples (with replacement,
/// of the same size) and the 2.5th and 97.5th percentiles of those values bound the 95 % interval. Models are not
/// refitted per resample: the interval is the uncertainty of the evaluation on this population. Seeded, so the same
/// inputs give the same interval.
/// </summary>
public static class Bootstrap
{
    public const int DefaultReplicates = 1000;

    public static Estimate Interval<T>(IReadOnlyList<T> units, Func<IReadOnlyList<T>, double> statistic, int replicates = DefaultReplicates, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 1);
        var value = statistic(units);
        if (units.Count == 0) return new Estimate(value, value, value);
        var random = new Random(seed);
        var values = new double[replicates];
        var sample = new T[units.Count];
        for (var r = 0; r < replicates; r++)
        {
            for (var i = 0; i < sample.Length; i++) sample[i] = units[random.Next(units.Count)];
            values[r] = statistic(sample);
        }

        Array.Sort(values);
        return new Estimate(value, Percentile(values, 0.025), Percentile(values, 0.975));
    }

    /// <summary>Linear interpolation between the closest ranks of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
