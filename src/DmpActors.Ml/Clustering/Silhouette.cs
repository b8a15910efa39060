namespace DmpActors.Ml.Clustering;

/// <summary>
/// The mean silhouette of a clustering: for each point, (b − a) / max(a, b) with a its mean distance to its own
/// cluster and b its mean distance to the nearest other cluster; 0 for a point alone in its cluster. From −1 (wrong)
/// through 0 (overlapping) to 1 (tight, well separated). Exact, O(n²): callers pass a sample.
/// </summary>
public static class Silhouette
{
    public static double Of(IReadOnlyList<float[]> points, IReadOnlyList<int> clusters, int k)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(clusters);
        if (points.Count != clusters.Count) throw new ArgumentException("one cluster per point");
        if (points.Count < 2 || k < 2) return 0;
        var sizes = new int[k];
        foreach (var c in clusters) sizes[c]++;
        var total = 0.0;
        var sums = new double[k];
        for (var i = 0; i < points.Count; i++)
        {
            Array.Clear(sums);
            for (var j = 0; j < points.Count; j++)
            {
                if (i != j) sums[clusters[j]] += Distance(points[i], points[j]);
            }

            var own = clusters[i];
            if (sizes[own] <= 1) continue;
            var a = sums[own] / (sizes[own] - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < k; c++)
            {
                if (c != own && sizes[c] > 0) b = Math.Min(b, sums[c] / sizes[c]);
            }

            if (double.IsPositiveInfinity(b)) continue;
            var m = Math.Max(a, b);
            total += m > 0 ? (b - a) / m : 0;
        }

        return total / points.Count;
    }

    public static double Distance(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }
}
