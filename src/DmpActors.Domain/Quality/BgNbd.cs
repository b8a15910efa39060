using MathNet.Numerics;

namespace DmpActors.Domain.Quality;

/// <summary>
/// The BG/NBD model of repeat buying (Fader, Hardie and Lee, "Counting Your Customers the Easy Way", Marketing Science
/// 2005): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with
/// probability p ~ Beta(a, b). Time is in the unit of the <see cref="Repeats"/> given (days here; the paper uses weeks).
/// </summary>
public sealed record BgNbd(double R, double Alpha, double A, double B)
{
    /// <summary>The log-likelihood of one customer's (x, tₓ, T), the paper's equation (6).</summary>
    public double LogLikelihood(Repeats c)
    {
        var a1 = SpecialFunctions.GammaLn(R + c.X) - SpecialFunctions.GammaLn(R) + R * Math.Log(Alpha);
        var a2 = SpecialFunctions.GammaLn(A + B) + SpecialFunctions.GammaLn(B + c.X) - SpecialFunctions.GammaLn(B) - SpecialFunctions.GammaLn(A + B + c.X);
        var a3 = -(R + c.X) * Math.Log(Alpha + c.T);
        if (c.X == 0) return a1 + a2 + a3;
        var a4 = Math.Log(A) - Math.Log(B + c.X - 1) - (R + c.X) * Math.Log(Alpha + c.Tx);
        var top = Math.Max(a3, a4);
        return a1 + a2 + top + Math.Log(Math.Exp(a3 - top) + Math.Exp(a4 - top));
    }

    /// <summary>The probability that a customer with this history is still alive at T (the paper's equation (11)).</summary>
    public double ProbabilityAlive(Repeats c) => c.X == 0 ? 1 : 1 / (1 + DeadOdds(c));

    /// <summary>The probability of no transaction in (T, T + t] given the history: dead, or alive and silent; alive, λ is
    /// Gamma(r + x, α + T), so silence for t has probability ((α + T) / (α + T + t))^(r + x).</summary>
    public double ProbabilityNoTransactions(Repeats c, double t)
    {
        var alive = ProbabilityAlive(c);
        return 1 - alive + alive * Math.Pow((Alpha + c.T) / (Alpha + c.T + t), R + c.X);
    }

    /// <summary>Expected transactions in (T, T + t] given the history (the paper's equation (10)).</summary>
    public double ExpectedTransactions(Repeats c, double t)
    {
        var z = t / (Alpha + c.T + t);
        var bracket = 1 - Math.Pow((Alpha + c.T) / (Alpha + c.T + t), R + c.X) * Hypergeometric2F1(R + c.X, B + c.X, A + B + c.X - 1, z);
        var odds = c.X == 0 ? 0 : DeadOdds(c);
        return (A + B + c.X - 1) / (A - 1) * bracket / (1 + odds);
    }

    /// <summary>Expected transactions in (0, t] of a customer just acquired (the paper's equation (9)).</summary>
    public double ExpectedTransactions(double t) =>
        (A + B - 1) / (A - 1) * (1 - Math.Pow(Alpha / (Alpha + t), R) * Hypergeometric2F1(R, B, A + B - 1, t / (Alpha + t)));

    /// <summary>The maximum-likelihood parameters for these customers.</summary>
    public static BgNbd Fit(IReadOnlyList<Repeats> customers)
    {
        var meanT = customers.Average(c => c.T);
        var best = Fitting.MaximiseLogLikelihood(p => new BgNbd(p[0], p[1], p[2], p[3]).TotalLogLikelihood(customers), [1, Math.Max(meanT / 10, 1), 1, 1]);
        return new BgNbd(best[0], best[1], best[2], best[3]);
    }

    public double TotalLogLikelihood(IReadOnlyList<Repeats> customers) => customers.Sum(LogLikelihood);

    /// <summary>Gauss's hypergeometric series ₂F₁(a, b; c; z) for |z| &lt; 1, summed until a term no longer changes it.</summary>
    public static double Hypergeometric2F1(double a, double b, double c, double z)
    {
        if (Math.Abs(z) >= 1) throw new ArgumentOutOfRangeException(nameof(z), z, "the series converges only for |z| < 1");
        double sum = 1, term = 1;
        for (var n = 0; n < 1_000_000; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= 1e-15 * Math.Abs(sum)) return sum;
        }

        throw new ArithmeticException($"2F1({a}, {b}; {c}; {z}) did not converge");
    }

    private double DeadOdds(Repeats c) => A / (B + c.X - 1) * Math.Pow((Alpha + c.T) / (Alpha + c.Tx), R + c.X);
}
