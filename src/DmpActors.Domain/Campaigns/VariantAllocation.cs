namespace DmpActors.Domain.Campaigns;

/// <summary>What a variant has earned so far: offers sent (trials) and clicks or conversions (successes).</summary>
public sealed record VariantCounts(long Trials, long Successes);

public static class VariantAllocation
{
    /// <summary>
    /// A fixed split: the variant whose share of the total weight holds the user's stable fraction, so a user keeps
    /// their variant for as long as the weights stay.
    /// </summary>
    public static OfferVariant Fixed(IReadOnlyList<OfferVariant> variants, string campaignId, string userId)
    {
        var total = variants.Sum(v => v.Weight);
        var point = Holdout.Fraction(campaignId, userId, "variant") * total;
        foreach (var v in variants)
        {
            if (point < v.Weight) return v;
            point -= v.Weight;
        }
        return variants.Last(v => v.Weight > 0);
    }

    /// <summary>
    /// Thompson sampling: one draw from each variant's Beta(1 + successes, 1 + failures) posterior, the highest wins.
    /// Traffic moves to the better variant as evidence grows and still explores the others.
    /// </summary>
    public static OfferVariant Thompson(IReadOnlyList<OfferVariant> variants, IReadOnlyDictionary<string, VariantCounts> counts, Random rng)
    {
        OfferVariant? best = null;
        var bestDraw = double.NegativeInfinity;
        foreach (var v in variants)
        {
            var c = counts.GetValueOrDefault(v.Id) ?? new VariantCounts(0, 0);
            var successes = Math.Max(0, c.Successes);
            var failures = Math.Max(0, c.Trials - successes);
            var draw = Beta(1 + successes, 1 + failures, rng);
            if (draw > bestDraw) (best, bestDraw) = (v, draw);
        }
        return best!;
    }

    public static double Beta(double a, double b, Random rng)
    {
        var x = Gamma(a, rng);
        var y = Gamma(b, rng);
        return x / (x + y);
    }

    /// <summary>Marsaglia and Tsang's method (shape ≥ 1, which a Beta posterior with a uniform prior always has).</summary>
    private static double Gamma(double shape, Random rng)
    {
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    private static double StandardNormal(Random rng)
    {
        var u1 = 1 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
