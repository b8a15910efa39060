namespace DmpActors.Domain.Campaigns;

/// <summary>A proportion with a confidence interval.</summary>
public sealed record Interval(double Estimate, double Low, double High);

/// <summary>Treatment against holdout: the absolute difference of rates with its interval, and the relative lift.</summary>
public sealed record Lift(double Difference, double Low, double High, double? Relative);

/// <summary>A two-sided test that two rates are equal.</summary>
public sealed record SignificanceTest(double Z, double PValue);

public static class CampaignStatistics
{
    /// <summary>z for a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Wilson score interval of <paramref name="successes"/> out of <paramref name="trials"/>: unlike the normal
    /// approximation it stays inside [0, 1] and is honest for the small counts a new variant has.
    /// </summary>
    public static Interval Wilson(long successes, long trials, double z = Z95)
    {
        if (trials <= 0) return new Interval(0, 0, 1);
        double n = trials, p = successes / n, z2 = z * z;
        var denominator = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        return new Interval(p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>CTR of a variant or campaign: clicks over offers sent, with its Wilson interval.</summary>
    public static Interval ClickThroughRate(long clicks, long sent, double z = Z95) => Wilson(clicks, sent, z);

    /// <summary>
    /// Lift of a treated group over the holdout: rate difference with a Wald interval (unpooled variances), and the
    /// difference relative to the holdout rate (null when the holdout converted nobody).
    /// </summary>
    public static Lift LiftOverHoldout(long treatedSuccesses, long treated, long holdoutSuccesses, long holdout, double z = Z95)
    {
        if (treated <= 0 || holdout <= 0) return new Lift(0, -1, 1, null);
        double p1 = treatedSuccesses / (double)treated, p0 = holdoutSuccesses / (double)holdout;
        var se = Math.Sqrt(p1 * (1 - p1) / treated + p0 * (1 - p0) / holdout);
        var difference = p1 - p0;
        return new Lift(difference, difference - z * se, difference + z * se, p0 > 0 ? difference / p0 : null);
    }

    /// <summary>Pooled two-proportion z test between two variants.</summary>
    public static SignificanceTest TwoProportionZ(long successesA, long trialsA, long successesB, long trialsB)
    {
        if (trialsA <= 0 || trialsB <= 0) return new SignificanceTest(0, 1);
        double pa = successesA / (double)trialsA, pb = successesB / (double)trialsB;
        var pooled = (successesA + successesB) / (double)(trialsA + trialsB);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / trialsA + 1.0 / trialsB));
        if (se == 0) return new SignificanceTest(0, 1);
        var z = (pa - pb) / se;
        return new SignificanceTest(z, 2 * (1 - NormalCdf(Math.Abs(z))));
    }

    /// <summary>Standard normal distribution function, through erfc.</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function, Numerical Recipes' erfcc (fractional error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
