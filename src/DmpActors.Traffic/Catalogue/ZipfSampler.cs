namespace DmpActors.Traffic.Catalogue;

/// <summary>Draws ranks 0..n-1 with P(rank k) ∝ 1/(k+1)^s by binary search over a precomputed CDF.</summary>
public sealed class ZipfSampler
{
    private readonly double[] _cdf;

    public ZipfSampler(int n, double s)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        _cdf = new double[n];
        var total = 0.0;
        for (var k = 0; k < n; k++)
        {
            total += 1.0 / Math.Pow(k + 1, s);
            _cdf[k] = total;
        }
        for (var k = 0; k < n; k++) _cdf[k] /= total;
        _cdf[n - 1] = 1.0;
    }

    public int Count => _cdf.Length;

    /// <summary>Probability of <paramref name="rank"/>; exposed so tests and ground truth can compare.</summary>
    public double Probability(int rank) => rank == 0 ? _cdf[0] : _cdf[rank] - _cdf[rank - 1];

    public int Sample(Random random)
    {
        var u = random.NextDouble();
        var index = Array.BinarySearch(_cdf, u);
        // BinarySearch returns the complement of the first larger element when u is not an exact hit.
        return index >= 0 ? index : Math.Min(~index, _cdf.Length - 1);
    }
}
