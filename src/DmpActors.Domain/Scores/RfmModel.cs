using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Scores;

/// <summary>One purchaser's RFM inputs: days since the latest purchase, lifetime orders, lifetime revenue.</summary>
public readonly record struct RfmInput(double RecencyDays, double Frequency, double Monetary)
{
    /// <summary>The inputs of a sample, or null when the user has not purchased (RFM scores purchasers only).</summary>
    public static RfmInput? Of(FeatureSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Numeric[3] > 0 ? new RfmInput(sample.Numeric[1], sample.Numeric[3], sample.Numeric[4]) : null;
    }
}

/// <summary>
/// RFM scoring by quintiles of a population of purchasers. Each of recency, frequency and monetary gets four cut
/// points (the 20th, 40th, 60th and 80th percentiles, nearest rank); a value scores 1 + the number of cuts below it
/// (frequency, monetary) or 5 − that number (recency: more recent is better). Tied values share a score, so a
/// population where most users bought once puts them all in frequency 1. The named segment follows from R and F:
/// <code>
/// segment      R      F
/// champions    4–5    4–5
/// loyal        3–5    3–5   (not champions)
/// potential    4–5    1–2
/// hibernating  2–3    1–2
/// at_risk      1–2    3–5
/// lost         1      1–2
/// </code>
/// Every (R, F) pair is in exactly one row. Pure; refitted by the model coordinator and pushed to every node.
/// </summary>
public sealed record RfmModel(double[] RecencyCuts, double[] FrequencyCuts, double[] MonetaryCuts, int Population)
{
    public const string Champions = "champions", Loyal = "loyal", Potential = "potential", Hibernating = "hibernating",
        AtRisk = "at_risk", Lost = "lost";

    /// <summary>The named segments, best first.</summary>
    public static IReadOnlyList<string> Segments { get; } = [Champions, Loyal, Potential, Hibernating, AtRisk, Lost];

    /// <summary>Cut points from <paramref name="population"/>; an empty population gives a model that scores everyone 1s
    /// and 5 for recency.</summary>
    public static RfmModel Fit(IEnumerable<RfmInput> population)
    {
        ArgumentNullException.ThrowIfNull(population);
        var all = population.ToArray();
        return new RfmModel(Cuts(all.Select(p => p.RecencyDays)), Cuts(all.Select(p => p.Frequency)), Cuts(all.Select(p => p.Monetary)), all.Length);
    }

    private static double[] Cuts(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return [0, 0, 0, 0];
        return [.. Enumerable.Range(1, 4).Select(k => sorted[Math.Max(0, (int)Math.Ceiling(k * sorted.Length / 5.0) - 1)])];
    }

    public RfmScores Score(RfmInput input)
    {
        var r = 5 - Below(RecencyCuts, input.RecencyDays);
        var f = 1 + Below(FrequencyCuts, input.Frequency);
        var m = 1 + Below(MonetaryCuts, input.Monetary);
        return new RfmScores(r, f, m, SegmentOf(r, f));
    }

    /// <summary>The named segment of an (R, F) pair (see the table on the type).</summary>
    public static string SegmentOf(int recency, int frequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recency, 5);
        ArgumentOutOfRangeException.ThrowIfLessThan(frequency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frequency, 5);
        return (recency, frequency) switch
        {
            ( >= 4, >= 4) => Champions,
            ( >= 3, >= 3) => Loyal,
            ( >= 4, _) => Potential,
            ( >= 2, <= 2) => Hibernating,
            (_, >= 3) => AtRisk,
            _ => Lost,
        };
    }

    private static int Below(double[] cuts, double value)
    {
        var n = 0;
        foreach (var c in cuts)
        {
            if (c < value) n++;
        }

        return n;
    }
}
