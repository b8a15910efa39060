namespace DmpActors.Domain.Quality;

/// <summary>
/// TIFU-KNN (Hu, He, Xu, Huang: "Modeling Personalized Item Frequency Information for Next-basket Recommendation",
/// SIGIR 2020). A customer's orders, oldest first, are cut into groups of <see cref="GroupSize"/> counted back from the
/// newest (the oldest group may be smaller). A group's vector is the mean of its orders' item vectors (1 per item held),
/// the i-th of n weighted <see cref="WithinGroupDecay"/>^(n − i); the customer's vector is the mean of the G group vectors,
/// the j-th weighted <see cref="AcrossGroupDecay"/>^(G − j). The prediction is <see cref="Alpha"/> · own vector +
/// (1 − <see cref="Alpha"/>) · the mean vector of the <see cref="NeighbourCount"/> customers nearest in Euclidean distance;
/// the k items with the highest values are recommended. The defaults are the paper's settings for its grocery data sets.
/// </summary>
public sealed class TifuKnn : INextBasketModel
{
    public sealed record Parameters(int GroupSize = 7, double WithinGroupDecay = 0.9, double AcrossGroupDecay = 0.7, int NeighbourCount = 300, double Alpha = 0.7);

    private readonly Parameters _p;
    private readonly Dictionary<string, int> _customerIndex;
    private readonly Dictionary<int, double>[] _vectors;
    private readonly double[] _norms;
    private readonly Dictionary<int, List<(int Customer, double Value)>> _postings = new();
    private readonly IReadOnlyList<string> _items;

    public TifuKnn(IReadOnlyDictionary<string, IReadOnlyList<Order>> history, PurchaseCounts counts, Parameters? parameters = null)
    {
        _p = parameters ?? new Parameters();
        _items = counts.Popular;
        var itemIndex = counts.Rank;
        var customers = history.Keys.Order(StringComparer.Ordinal).ToList();
        _customerIndex = customers.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        _vectors = customers.Select(c => Vector(history[c], itemIndex)).ToArray();
        _norms = _vectors.Select(v => v.Values.Sum(x => x * x)).ToArray();
        for (var c = 0; c < _vectors.Length; c++)
        foreach (var (item, value) in _vectors[c])
        {
            if (!_postings.TryGetValue(item, out var list)) _postings[item] = list = [];
            list.Add((c, value));
        }
    }

    public Parameters Settings => _p;

    public string Name => "TIFU-KNN";

    public IReadOnlyList<string> Recommend(string customer, int k)
    {
        if (!_customerIndex.TryGetValue(customer, out var self)) return [];
        var own = _vectors[self];
        var prediction = own.ToDictionary(p => p.Key, p => _p.Alpha * p.Value);
        var neighbours = Nearest(self);
        if (neighbours.Count > 0)
        {
            var weight = (1 - _p.Alpha) / neighbours.Count;
            foreach (var n in neighbours)
            foreach (var (item, value) in _vectors[n])
                prediction[item] = prediction.GetValueOrDefault(item) + weight * value;
        }

        return prediction.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(k).Select(p => _items[p.Key]).ToList();
    }

    /// <summary>The customer's time-decayed item vector (item index → value).</summary>
    public Dictionary<int, double> Vector(IReadOnlyList<Order> orders, IReadOnlyDictionary<string, int> itemIndex)
    {
        var vector = new Dictionary<int, double>();
        var groups = orders.Count == 0 ? 0 : (orders.Count + _p.GroupSize - 1) / _p.GroupSize;
        for (var g = 0; g < groups; g++)
        {
            // Groups counted back from the newest order: group g (0 = oldest) ends where the next begins.
            var end = orders.Count - (groups - 1 - g) * _p.GroupSize;
            var start = Math.Max(0, end - _p.GroupSize);
            var size = end - start;
            var groupWeight = Math.Pow(_p.AcrossGroupDecay, groups - 1 - g) / groups;
            for (var i = start; i < end; i++)
            {
                var weight = groupWeight * Math.Pow(_p.WithinGroupDecay, end - 1 - i) / size;
                foreach (var item in orders[i].Items)
                {
                    var at = itemIndex[item];
                    vector[at] = vector.GetValueOrDefault(at) + weight;
                }
            }
        }

        return vector;
    }

    private List<int> Nearest(int self)
    {
        // |u − v|² = |u|² + |v|² − 2 u·v, the dot products gathered through the item postings.
        var dots = new Dictionary<int, double>();
        foreach (var (item, value) in _vectors[self])
        foreach (var (other, theirs) in _postings[item])
            if (other != self) dots[other] = dots.GetValueOrDefault(other) + value * theirs;
        return Enumerable.Range(0, _vectors.Length).Where(c => c != self)
            .Select(c => (c, Distance: _norms[self] + _norms[c] - 2 * dots.GetValueOrDefault(c)))
            .OrderBy(d => d.Distance).ThenBy(d => d.c).Take(_p.NeighbourCount).Select(d => d.c).ToList();
    }
}
