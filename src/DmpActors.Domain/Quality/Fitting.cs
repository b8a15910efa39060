using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace DmpActors.Domain.Quality;

/// <summary>Maximum likelihood by Nelder–Mead over the logarithms of positive parameters (so none can leave (0, ∞)).</summary>
internal static class Fitting
{
    public static double[] MaximiseLogLikelihood(Func<double[], double> logLikelihood, double[] start)
    {
        var objective = ObjectiveFunction.Value(v =>
        {
            var value = logLikelihood(v.Select(x => Math.Exp(x)).ToArray());
            return double.IsFinite(value) ? -value : double.MaxValue;
        });
        var result = new NelderMeadSimplex(1e-10, 20_000).FindMinimum(objective, Vector<double>.Build.DenseOfArray(start.Select(x => Math.Log(x)).ToArray()));
        return result.MinimizingPoint.Select(x => Math.Exp(x)).ToArray();
    }
}
