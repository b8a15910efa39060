namespace DmpActors.Domain.Recommendations;

/// <summary>An item and its score in a popularity or trending list.</summary>
public readonly record struct ItemScore(string ItemId, double Score);

/// <summary>
/// Weighted interest per item (a view counts 1, an add-to-cart 3, an order holding the item 5 by default, whatever its quantity): all-time totals for
/// the popularity fallback, and event-time buckets for trending (interest within the last <c>TrendingWindow</c>).
/// At most <c>MaxItems</c> items are kept (the least popular tenth makes room). Top lists are recomputed at most once
/// per <c>TopListRefresh</c> of query time, so a new signal shows in them within that long.
/// </summary>
public sealed class ItemPopularity
{
    private readonly Dictionary<string, Counts> _items = new(StringComparer.Ordinal);
    private readonly long _bucketTicks;
    private readonly int _buckets;
    private (DateTimeOffset At, ItemScore[] List)? _popular;
    private (DateTimeOffset At, ItemScore[] List)? _trending;

    public ItemPopularity(PopularityOptions? options = null)
    {
        Options = options ?? PopularityOptions.Default;
        _buckets = Options.TrendingBuckets;
        _bucketTicks = Math.Max(1, Options.TrendingWindow.Ticks / _buckets);
    }

    public PopularityOptions Options { get; }

    public int ItemCount => _items.Count;

    public void Add(string item, double weight, DateTimeOffset at)
    {
        if (!_items.TryGetValue(item, out var c))
        {
            if (_items.Count >= Options.MaxItems) EvictWeakest();
            c = new Counts(_buckets);
            _items[item] = c;
        }

        c.Total += weight;
        var bucket = at.UtcTicks / _bucketTicks;
        var slot = (int)(bucket % _buckets);
        if (c.Stamps[slot] != bucket)
        {
            if (c.Stamps[slot] > bucket) return; // older than the ring reaches: counted in the total only
            c.Stamps[slot] = bucket;
            c.Recent[slot] = 0;
        }

        c.Recent[slot] += weight;
    }

    /// <summary>All-time weighted interest.</summary>
    public double PopularityOf(string item) => _items.TryGetValue(item, out var c) ? c.Total : 0;

    /// <summary>Weighted interest in the trending window ending at <paramref name="now"/>.</summary>
    public double TrendingOf(string item, DateTimeOffset now) => _items.TryGetValue(item, out var c) ? Recent(c, now) : 0;

    /// <summary>The most popular items, strongest first, at most <see cref="PopularityOptions.TopListSize"/>.</summary>
    public IReadOnlyList<ItemScore> Popular(DateTimeOffset now) =>
        Cached(ref _popular, now, static (c, _, _) => c.Total);

    /// <summary>The items with the most interest in the trending window, strongest first.</summary>
    public IReadOnlyList<ItemScore> Trending(DateTimeOffset now) =>
        Cached(ref _trending, now, static (c, self, at) => self.Recent(c, at));

    private ItemScore[] Cached(ref (DateTimeOffset At, ItemScore[] List)? cache, DateTimeOffset now,
        Func<Counts, ItemPopularity, DateTimeOffset, double> score)
    {
        if (cache is { } hit && now >= hit.At && now - hit.At < Options.TopListRefresh) return hit.List;
        // The best TopListSize through a heap whose root is the weakest kept: one pass, no sort of every item (this runs
        // under the recommender's lock once per refresh, and a full sort of 10,000+ items stalled every request behind it).
        var size = Options.TopListSize;
        var top = new PriorityQueue<ItemScore, ItemScore>(size + 1, WeakestFirst);
        foreach (var (key, counts) in _items)
        {
            var value = score(counts, this, now);
            if (!(value > 0)) continue;
            var entry = new ItemScore(key, value);
            if (top.Count < size) top.Enqueue(entry, entry);
            else if (WeakestFirst.Compare(entry, top.Peek()) > 0) top.EnqueueDequeue(entry, entry);
        }

        var list = new ItemScore[top.Count];
        for (var i = list.Length - 1; i >= 0; i--) list[i] = top.Dequeue();
        cache = (now, list);
        return list;
    }

    /// <summary>Weaker first: a lower score, or at the same score the later id (lists are strongest first, then by id).</summary>
    private static readonly Comparer<ItemScore> WeakestFirst = Comparer<ItemScore>.Create(static (a, b) =>
        a.Score.CompareTo(b.Score) is var c and not 0 ? c : string.CompareOrdinal(b.ItemId, a.ItemId));

    private double Recent(Counts c, DateTimeOffset now)
    {
        var current = now.UtcTicks / _bucketTicks;
        var sum = 0d;
        for (var i = 0; i < _buckets; i++)
        {
            if (c.Stamps[i] > current - _buckets && c.Stamps[i] <= current) sum += c.Recent[i];
        }

        return sum;
    }

    private void EvictWeakest()
    {
        var drop = Math.Max(1, Options.MaxItems / 10);
        foreach (var key in _items.OrderBy(kv => kv.Value.Total).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(drop)
                     .Select(kv => kv.Key).ToArray())
            _items.Remove(key);
    }

    private sealed class Counts(int buckets)
    {
        public double Total;
        public readonly long[] Stamps = Enumerable.Repeat(-1L, buckets).ToArray();
        public readonly double[] Recent = new double[buckets];
    }
}

/// <summary>Weights and bounds of <see cref="ItemPopularity"/>.</summary>
public sealed record PopularityOptions
{
    public static PopularityOptions Default { get; } = new();

    public double ViewWeight { get; init; } = 1;
    public double CartWeight { get; init; } = 3;
    public double PurchaseWeight { get; init; } = 5;

    /// <summary>Trending counts interest within this much event time before the query.</summary>
    public TimeSpan TrendingWindow { get; init; } = TimeSpan.FromHours(24);

    public int TrendingBuckets { get; init; } = 24;
    public int MaxItems { get; init; } = 200_000;
    public int TopListSize { get; init; } = 200;
    public TimeSpan TopListRefresh { get; init; } = TimeSpan.FromSeconds(1);
}
