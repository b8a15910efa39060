namespace DmpActors.Domain.Quality;

/// <summary>
/// Item-kNN over co-occurrence in the history's orders: the similarity of two items is the cosine of their order sets,
/// co(i, j) / √(n(i) · n(j)), and each item keeps its <see cref="Neighbours"/> most similar. A customer's score for item
/// j is Σ over their items i of (orders of theirs holding i) · sim(i, j), with sim(i, i) = 1, so items already bought
/// compete with their neighbours; the best k are recommended.
/// </summary>
public sealed class ItemKnn : INextBasketModel
{
    public const int Neighbours = 50;

    private readonly PurchaseCounts _counts;
    private readonly (int Item, double Similarity)[][] _neighbours;
    private readonly Dictionary<string, int> _index;
    private readonly IReadOnlyList<string> _items;

    public ItemKnn(IReadOnlyDictionary<string, IReadOnlyList<Order>> history, PurchaseCounts counts)
    {
        _counts = counts;
        _items = counts.Popular;
        _index = counts.Rank.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var n = _items.Count;
        // Dense counts: the catalogue is a few thousand items, so n² integers fit easily and cost no hashing.
        var together = new int[n * n];
        var alone = new int[n];
        foreach (var order in history.Values.SelectMany(o => o))
        {
            var ids = order.Items.Select(i => _index[i]).ToArray();
            foreach (var a in ids)
            {
                alone[a]++;
                foreach (var b in ids)
                    if (a != b) together[a * n + b]++;
            }
        }

        _neighbours = new (int, double)[n][];
        for (var a = 0; a < n; a++)
        {
            var row = new List<(int Item, double Similarity)>();
            for (var b = 0; b < n; b++)
                if (together[a * n + b] > 0) row.Add((b, together[a * n + b] / Math.Sqrt((double)alone[a] * alone[b])));
            _neighbours[a] = row.OrderByDescending(r => r.Similarity).ThenBy(r => r.Item).Take(Neighbours).ToArray();
        }
    }

    public string Name => "item-kNN co-occurrence";

    public IReadOnlyList<string> Recommend(string customer, int k)
    {
        var scores = new Dictionary<int, double>();
        foreach (var (item, (orders, _)) in _counts.Of(customer))
        {
            var i = _index[item];
            scores[i] = scores.GetValueOrDefault(i) + orders;
            foreach (var (j, similarity) in _neighbours[i]) scores[j] = scores.GetValueOrDefault(j) + orders * similarity;
        }

        return scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key).Take(k).Select(s => _items[s.Key]).ToList();
    }
}
