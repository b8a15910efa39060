namespace DmpActors.Domain.Quality;

/// <summary>How <see cref="ImplicitAls"/> factorises: latent factors, L2 regularisation, confidence per order
/// (c = 1 + alpha · orders holding the item), alternating sweeps, and the seed of the initial factors.</summary>
public sealed record AlsSettings(int Factors = 32, double Regularisation = 0.1, double Alpha = 10, int Iterations = 12, int Seed = 1);

/// <summary>
/// Alternating least squares for implicit feedback (Hu, Koren and Volinsky 2008): the preference of a customer for an
/// item is 1 when any of their orders held it, weighted by the confidence 1 + alpha · (orders holding it); user and
/// item factors are solved in turn in closed form, each sweep using the YᵀY + Yᵀ(C − I)Y trick so a customer costs only
/// their own items. A customer's top-k are the items with the highest predicted preference, bought before or not.
/// </summary>
public sealed class ImplicitAls : INextBasketModel
{
    private readonly IReadOnlyList<string> _items;
    private readonly Dictionary<string, int> _users;
    private readonly double[][] _userFactors;
    private readonly double[][] _itemFactors;

    public ImplicitAls(PurchaseCounts counts, IEnumerable<string> customers, AlsSettings? settings = null)
    {
        Settings = settings ?? new AlsSettings();
        _items = counts.Popular;
        var itemIndex = counts.Rank;
        var users = customers.ToList();
        _users = users.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var byUser = users.Select(c => counts.Of(c).Select(p => (Index: itemIndex[p.Key], Count: (double)p.Value.Orders)).ToArray()).ToArray();
        var byItem = new List<(int Index, double Count)>[_items.Count];
        for (var i = 0; i < byItem.Length; i++) byItem[i] = [];
        for (var u = 0; u < byUser.Length; u++)
            foreach (var (item, count) in byUser[u]) byItem[item].Add((u, count));

        var random = new Random(Settings.Seed);
        double[][] Initial(int n) => Enumerable.Range(0, n)
            .Select(_ => Enumerable.Range(0, Settings.Factors).Select(_ => (random.NextDouble() - 0.5) * 0.1).ToArray()).ToArray();
        _userFactors = Initial(users.Count);
        _itemFactors = Initial(_items.Count);
        var itemRows = byItem.Select(l => l.ToArray()).ToArray();
        for (var sweep = 0; sweep < Settings.Iterations; sweep++)
        {
            Solve(_userFactors, _itemFactors, byUser);
            Solve(_itemFactors, _userFactors, itemRows);
        }
    }

    public AlsSettings Settings { get; }

    public string Name => "ALS (implicit matrix factorisation)";

    public IReadOnlyList<string> Recommend(string customer, int k)
    {
        if (!_users.TryGetValue(customer, out var u)) return [];
        var x = _userFactors[u];
        return Enumerable.Range(0, _items.Count)
            .Select(i => (Item: i, Score: Dot(x, _itemFactors[i])))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Item)
            .Take(k).Select(p => _items[p.Item]).ToList();
    }

    /// <summary>One half-sweep: every row of <paramref name="target"/> solved against the fixed <paramref name="other"/>.</summary>
    private void Solve(double[][] target, double[][] other, (int Index, double Count)[][] observed)
    {
        var f = Settings.Factors;
        var gram = new double[f, f];
        foreach (var y in other)
            for (var a = 0; a < f; a++)
            for (var b = 0; b < f; b++) gram[a, b] += y[a] * y[b];

        Parallel.For(0, target.Length, row =>
        {
            var matrix = (double[,])gram.Clone();
            var rhs = new double[f];
            foreach (var (index, count) in observed[row])
            {
                var y = other[index];
                var confidence = 1 + Settings.Alpha * count;
                for (var a = 0; a < f; a++)
                {
                    rhs[a] += confidence * y[a];
                    for (var b = 0; b < f; b++) matrix[a, b] += (confidence - 1) * y[a] * y[b];
                }
            }

            for (var a = 0; a < f; a++) matrix[a, a] += Settings.Regularisation;
            target[row] = Cholesky.Solve(matrix, rhs);
        });
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

/// <summary>Solves A x = b for a symmetric positive definite A by its Cholesky factor (A is overwritten).</summary>
public static class Cholesky
{
    public static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var j = 0; j < n; j++)
        {
            var d = a[j, j];
            for (var k = 0; k < j; k++) d -= a[j, k] * a[j, k];
            if (d <= 0) throw new ArgumentException("the matrix is not positive definite", nameof(a));
            a[j, j] = Math.Sqrt(d);
            for (var i = j + 1; i < n; i++)
            {
                var s = a[i, j];
                for (var k = 0; k < j; k++) s -= a[i, k] * a[j, k];
                a[i, j] = s / a[j, j];
            }
        }

        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++) s -= a[i, k] * y[k];
            y[i] = s / a[i, i];
        }

        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var s = y[i];
            for (var k = i + 1; k < n; k++) s -= a[k, i] * x[k];
            x[i] = s / a[i, i];
        }

        return x;
    }
}
