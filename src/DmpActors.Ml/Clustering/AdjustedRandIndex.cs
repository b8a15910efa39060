namespace DmpActors.Ml.Clustering;

/// <summary>
/// Agreement of two partitions of the same items, corrected for chance (Hubert and Arabie): 1 when they are the same
/// up to renaming, about 0 for independent partitions. Used to measure clusters against known groups.
/// </summary>
public static class AdjustedRandIndex
{
    public static double Of(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException("partitions of different sizes");
        var n = a.Count;
        if (n < 2) return 1;
        var pairs = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (var i = 0; i < n; i++)
        {
            pairs[(a[i], b[i])] = pairs.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }

        static double Choose2(long x) => x * (x - 1) / 2.0;
        var index = pairs.Values.Sum(Choose2);
        var sumRows = rows.Values.Sum(Choose2);
        var sumCols = cols.Values.Sum(Choose2);
        var expected = sumRows * sumCols / Choose2(n);
        var max = (sumRows + sumCols) / 2;
        return max - expected == 0 ? 1 : (index - expected) / (max - expected);
    }
}
