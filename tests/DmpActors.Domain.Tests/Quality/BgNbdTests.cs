using DmpActors.Domain.Quality;
using MathNet.Numerics.Distributions;

namespace DmpActors.Domain.Tests.Quality;

/// <summary>The BG/NBD formulas against the CDNOW parameters and example of Fader, Hardie and Lee (2005), numbers
/// computed here independently by integrating the model over its priors, and the fit on data drawn from known parameters.</summary>
public sealed class BgNbdTests
{
    private static readonly BgNbd Cdnow = new(0.243, 4.414, 0.793, 2.426);
    private static readonly Repeats Example = new(X: 2, Tx: 30.43, T: 38.86, MeanValue: 0);

    [Fact]
    public void Expected_transactions_of_the_papers_example_customer_are_1_226_in_the_next_39_weeks()
    {
        Assert.Equal(1.226, Cdnow.ExpectedTransactions(Example, 39), 3);
    }

    [Fact]
    public void Conditional_expectation_and_p_alive_equal_a_direct_integration_over_lambda_and_p()
    {
        var (expected, alive, silent) = Integrate(Cdnow, Example, 39);

        Assert.Equal(expected, Cdnow.ExpectedTransactions(Example, 39), 3);
        Assert.Equal(alive, Cdnow.ProbabilityAlive(Example), 3);
        Assert.Equal(silent, Cdnow.ProbabilityNoTransactions(Example, 39), 3);
        // by hand: 1 / (1 + a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))
        Assert.Equal(1 / (1 + 0.793 / 3.426 * Math.Pow(43.274 / 34.844, 2.243)), Cdnow.ProbabilityAlive(Example), 10);
    }

    [Fact]
    public void A_customer_without_repeats_is_alive_and_expectations_match_the_integration()
    {
        var none = new Repeats(0, 0, 30, 0);
        Assert.Equal(1, Cdnow.ProbabilityAlive(none));
        Assert.Equal(Integrate(Cdnow, none, 52).Expected, Cdnow.ExpectedTransactions(none, 52), 3);
    }

    [Fact]
    public void The_hypergeometric_series_matches_closed_forms()
    {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z and ₂F₁(a, b; b; z) = (1 − z)^(−a)
        Assert.Equal(-Math.Log(1 - 0.6) / 0.6, BgNbd.Hypergeometric2F1(1, 1, 2, 0.6), 12);
        Assert.Equal(Math.Pow(1 - 0.3, -2.5), BgNbd.Hypergeometric2F1(2.5, 1.7, 1.7, 0.3), 12);
    }

    [Fact]
    public void The_fit_recovers_the_parameters_of_customers_drawn_from_them_and_their_expected_count()
    {
        var random = new Random(42);
        var customers = Enumerable.Range(0, 20_000).Select(_ => Draw(Cdnow, random, T: 27 + 12 * random.NextDouble())).ToList();

        var fitted = BgNbd.Fit(customers);

        Assert.InRange(fitted.R, 0.243 * 0.85, 0.243 * 1.15);
        Assert.InRange(fitted.Alpha, 4.414 * 0.8, 4.414 * 1.2);
        Assert.InRange(fitted.A, 0.793 * 0.7, 0.793 * 1.3);
        Assert.InRange(fitted.B, 2.426 * 0.7, 2.426 * 1.3);
        Assert.True(fitted.TotalLogLikelihood(customers) >= Cdnow.TotalLogLikelihood(customers));

        // The unconditional expectation against the mean count of customers drawn with T = 39 weeks
        var drawn = Enumerable.Range(0, 40_000).Select(_ => Draw(Cdnow, random, T: 39).X).Average();
        Assert.Equal(drawn, Cdnow.ExpectedTransactions(39), 0.03 * drawn);
    }

    /// <summary>A customer drawn from the model: first purchase at 0, Poisson(λ) purchases, a drop-out after each repeat.</summary>
    private static Repeats Draw(BgNbd m, Random random, double T)
    {
        var lambda = Gamma.Sample(random, m.R, m.Alpha);
        var p = Beta.Sample(random, m.A, m.B);
        double t = 0, tx = 0;
        var x = 0;
        while (true)
        {
            t += Exponential.Sample(random, lambda);
            if (t > T) break;
            (x, tx) = (x + 1, t);
            if (random.NextDouble() < p) break;
        }

        return new Repeats(x, tx, T, 0);
    }

    /// <summary>E[Y(t) | x, tₓ, T] and P(alive) by Simpson's rule over the posterior of (λ, p): alive customers expect
    /// (1 − e^(−λpt)) / p more purchases and none with probability e^(−λt). λ = u^(1/r) and p = v^(1/a) take the priors' singularities at 0 away.</summary>
    private static (double Expected, double Alive, double Silent) Integrate(BgNbd m, Repeats c, double t)
    {
        const int n = 1000;
        const double uMax = 2.0;
        double expected = 0, alive = 0, silent = 0, total = 0;
        for (var i = 0; i <= n; i++)
        for (var j = 0; j <= n; j++)
        {
            var lambda = Math.Pow(uMax * i / n, 1 / m.R);
            var p = Math.Pow((double)j / n, 1 / m.A);
            var weight = Simpson(i, n) * Simpson(j, n) * Math.Exp(-m.Alpha * lambda) * Math.Pow(1 - p, m.B - 1);
            var stays = Math.Pow(1 - p, c.X) * Math.Pow(lambda, c.X) * Math.Exp(-lambda * c.T);
            var leaves = c.X == 0 ? 0 : p * Math.Pow(1 - p, c.X - 1) * Math.Pow(lambda, c.X) * Math.Exp(-lambda * c.Tx);
            var more = p == 0 ? lambda * t : -double.ExpM1(-lambda * p * t) / p;
            expected += weight * stays * more;
            alive += weight * stays;
            silent += weight * (stays * Math.Exp(-lambda * t) + leaves);
            total += weight * (stays + leaves);
        }

        return (expected / total, alive / total, silent / total);
    }

    private static double Simpson(int i, int n) => i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
}
