using DmpActors.Domain.Quality;
using MathNet.Numerics.Distributions;

namespace DmpActors.Domain.Tests.Quality;

/// <summary>The Gamma-Gamma formulas against the CDNOW parameters of Fader and Hardie's note (p = 6.25, q = 3.74,
/// γ = 15.44), checked by integrating over ν, and the fit on data drawn from known parameters.</summary>
public sealed class GammaGammaTests
{
    private static readonly GammaGamma Cdnow = new(6.25, 3.74, 15.44);

    [Fact]
    public void The_population_mean_spend_is_p_gamma_over_q_minus_one()
    {
        Assert.Equal(6.25 * 15.44 / 2.74, Cdnow.PopulationMean, 12); // $35.22
        Assert.Equal(Cdnow.PopulationMean, Cdnow.ExpectedValue(0, 0), 12);
    }

    [Fact]
    public void The_expected_spend_of_a_customer_equals_the_integral_of_p_over_nu_over_their_posterior()
    {
        // Posterior of ν ∝ ν^(px + q − 1) e^(−ν(γ + x m̄)); E[M] = E[p / ν]
        const int x = 3;
        const double mean = 40;
        const int n = 20_000;
        double top = 0, bottom = 0;
        for (var i = 1; i <= n; i++)
        {
            var nu = i / (double)n;
            var w = (i == n ? 1 : i % 2 == 1 ? 4 : 2) * Math.Exp((Cdnow.P * x + Cdnow.Q - 1) * Math.Log(nu) - nu * (Cdnow.Gamma + x * mean));
            top += w * Cdnow.P / nu;
            bottom += w;
        }

        Assert.Equal(top / bottom, Cdnow.ExpectedValue(x, mean), 4);
        Assert.Equal(6.25 * (15.44 + 120) / (18.75 + 2.74), Cdnow.ExpectedValue(x, mean), 10); // 39.39
    }

    [Fact]
    public void The_fit_recovers_the_parameters_of_customers_drawn_from_them()
    {
        var random = new Random(7);
        var customers = Enumerable.Range(0, 10_000).Select(_ =>
        {
            var nu = Gamma.Sample(random, Cdnow.Q, Cdnow.Gamma);
            var x = random.Next(1, 9);
            return (x, Enumerable.Range(0, x).Average(_ => Gamma.Sample(random, Cdnow.P, nu)));
        }).ToList();

        var fitted = GammaGamma.Fit(customers);

        Assert.InRange(fitted.P, 6.25 * 0.85, 6.25 * 1.15);
        Assert.InRange(fitted.Q, 3.74 * 0.8, 3.74 * 1.2);
        Assert.InRange(fitted.Gamma, 15.44 * 0.75, 15.44 * 1.25);
        Assert.InRange(fitted.PopulationMean, 35.22 * 0.95, 35.22 * 1.05);
    }
}
