using MathNet.Numerics;

namespace DmpActors.Domain.Quality;

/// <summary>
/// The Gamma-Gamma model of spend per transaction (Fader and Hardie, "The Gamma-Gamma Model of Monetary Value", 2013;
/// Fader, Hardie and Lee, "RFM and CLV", 2005): a customer's transactions are Gamma(p, ν), their ν ~ Gamma(q, γ), spend
/// independent of how often they buy. Fitted on customers with at least one repeat transaction.
/// </summary>
public sealed record GammaGamma(double P, double Q, double Gamma)
{
    /// <summary>The mean spend per transaction over the population, pγ / (q − 1).</summary>
    public double PopulationMean => P * Gamma / (Q - 1);

    /// <summary>The log-likelihood of x transactions with mean value m̄.</summary>
    public double LogLikelihood(int x, double mean) =>
        SpecialFunctions.GammaLn(P * x + Q) - SpecialFunctions.GammaLn(P * x) - SpecialFunctions.GammaLn(Q) + Q * Math.Log(Gamma)
        + (P * x - 1) * Math.Log(mean) + P * x * Math.Log(x) - (P * x + Q) * Math.Log(Gamma + mean * x);

    /// <summary>The expected spend per transaction of a customer with x transactions of mean m̄: p(γ + x m̄) / (px + q − 1),
    /// a weighted mean of the population mean and their own (the population mean when x = 0).</summary>
    public double ExpectedValue(int x, double mean) => P * (Gamma + x * mean) / (P * x + Q - 1);

    public static GammaGamma Fit(IReadOnlyList<(int X, double Mean)> customers)
    {
        var usable = customers.Where(c => c is { X: > 0, Mean: > 0 }).ToList();
        var best = Fitting.MaximiseLogLikelihood(p =>
        {
            var model = new GammaGamma(p[0], p[1], p[2]);
            return usable.Sum(c => model.LogLikelihood(c.X, c.Mean));
        }, [1, 2, Math.Max(usable.Average(c => c.Mean), 1)]);
        return new GammaGamma(best[0], best[1], best[2]);
    }
}
