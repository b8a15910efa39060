namespace DmpActors.Domain.Recommendations;

/// <summary>An association rule A → B over transactions (baskets or sessions): support = n(A∧B)/N, confidence =
/// n(A∧B)/n(A), lift = confidence / (n(B)/N).</summary>
public readonly record struct AssociationRule(string Antecedent, string Consequent, long Together, double Support, double Confidence, double Lift);

/// <summary>
/// Item-to-item co-occurrence counts over transactions, kept incrementally: a transaction is a basket (all its items
/// at once) or a session (its items as they arrive). Counts are exact while the bounds hold, so support, confidence
/// and lift are those of Apriori's pair pass over the same transactions.
/// </summary>
/// <remarks>
/// Memory is bounded by <see cref="CoOccurrenceBounds"/>: at most <c>MaxItems</c> items and, per item, at most
/// <c>MaxNeighbours</c> pair counters, so about MaxItems × (MaxNeighbours × 48 + 100) bytes (defaults 100,000 × 64:
/// ≈ 320 MB worst case, far less in practice since most items have few neighbours). Past a bound the weakest entry
/// makes room (Space-Saving style for neighbours: the newcomer starts at the evicted count, so counts past the bound
/// may overestimate rare pairs, never underestimate frequent ones). Not thread-safe: one owner writes, readers take
/// the owner's lock.
/// </remarks>
public sealed class CoOccurrence
{
    private readonly Dictionary<string, ItemCounts> _items = new(StringComparer.Ordinal);

    public CoOccurrence(CoOccurrenceBounds? bounds = null) => Bounds = bounds ?? CoOccurrenceBounds.Default;

    public CoOccurrenceBounds Bounds { get; }

    /// <summary>Transactions counted (N).</summary>
    public long Transactions { get; private set; }

    /// <summary>Items with counts now.</summary>
    public int ItemCount => _items.Count;

    /// <summary>Counts one whole transaction (a basket); repeated ids count once.</summary>
    public void AddTransaction(IEnumerable<string> items)
    {
        StartTransaction();
        var seen = new List<string>();
        foreach (var item in items)
        {
            if (seen.Contains(item, StringComparer.Ordinal)) continue;
            AddToTransaction(item, seen);
            seen.Add(item);
        }
    }

    /// <summary>Opens a transaction whose items arrive one by one through <see cref="AddToTransaction"/>.</summary>
    public void StartTransaction() => Transactions++;

    /// <summary>Adds <paramref name="item"/> to an open transaction that already holds <paramref name="earlier"/> (which
    /// must not contain it): n(item) and every n(item ∧ earlier) grow by one.</summary>
    public void AddToTransaction(string item, IReadOnlyCollection<string> earlier)
    {
        var counts = Ensure(item);
        counts.Transactions++;
        foreach (var other in earlier)
        {
            if (string.Equals(other, item, StringComparison.Ordinal)) continue;
            counts.AddPair(other, Bounds.MaxNeighbours);
            Ensure(other).AddPair(item, Bounds.MaxNeighbours);
        }
    }

    /// <summary>n(item): transactions that hold the item.</summary>
    public long CountOf(string item) => _items.TryGetValue(item, out var c) ? c.Transactions : 0;

    /// <summary>n(a ∧ b).</summary>
    public long Together(string a, string b) =>
        _items.TryGetValue(a, out var c) && c.Pairs.TryGetValue(b, out var n) ? n : 0;

    /// <summary>The rule a → b, or null when a was never seen.</summary>
    public AssociationRule? Rule(string a, string b)
    {
        var na = CountOf(a);
        if (na == 0 || Transactions == 0) return null;
        return MakeRule(a, b, na, Together(a, b));
    }

    /// <summary>Rules item → x for every x seen with item at least <paramref name="minTogether"/> times, by confidence
    /// then lift then id, at most <paramref name="top"/>.</summary>
    public IReadOnlyList<AssociationRule> RulesFrom(string item, int top, long minTogether = 1)
    {
        if (!_items.TryGetValue(item, out var counts) || counts.Transactions == 0) return [];
        var rules = new List<AssociationRule>(Math.Min(counts.Pairs.Count, 64));
        foreach (var (other, together) in counts.Pairs)
        {
            if (together >= minTogether && _items.ContainsKey(other)) rules.Add(MakeRule(item, other, counts.Transactions, together));
        }

        rules.Sort(static (x, y) =>
            y.Confidence.CompareTo(x.Confidence) is var c and not 0 ? c
            : y.Lift.CompareTo(x.Lift) is var l and not 0 ? l
            : string.CompareOrdinal(x.Consequent, y.Consequent));
        return rules.Count > top ? rules.GetRange(0, top) : rules;
    }

    private AssociationRule MakeRule(string a, string b, long na, long together)
    {
        var n = (double)Transactions;
        var nb = CountOf(b);
        var confidence = together / (double)na;
        var lift = nb == 0 ? 0 : confidence / (nb / n);
        return new AssociationRule(a, b, together, together / n, confidence, lift);
    }

    private ItemCounts Ensure(string item)
    {
        if (_items.TryGetValue(item, out var counts)) return counts;
        if (_items.Count >= Bounds.MaxItems) EvictWeakest();
        counts = new ItemCounts();
        _items[item] = counts;
        return counts;
    }

    // Drops the least-seen tenth at once so that eviction costs O(items) once per MaxItems/10 new items. A pair kept
    // only on the survivor's side (Space-Saving dropped its twin) may outlive the victim; RulesFrom skips it.
    private void EvictWeakest()
    {
        var drop = Math.Max(1, Bounds.MaxItems / 10);
        var victims = _items.OrderBy(kv => kv.Value.Transactions).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(drop).Select(kv => kv.Key).ToArray();
        foreach (var v in victims)
        {
            if (!_items.Remove(v, out var gone)) continue;
            foreach (var other in gone.Pairs.Keys)
            {
                if (_items.TryGetValue(other, out var counts)) counts.Pairs.Remove(v);
            }
        }
    }

    private sealed class ItemCounts
    {
        public long Transactions;
        public readonly Dictionary<string, long> Pairs = new(StringComparer.Ordinal);

        public void AddPair(string other, int maxNeighbours)
        {
            if (Pairs.TryGetValue(other, out var n))
            {
                Pairs[other] = n + 1;
                return;
            }

            long floor = 0;
            if (Pairs.Count >= maxNeighbours)
            {
                var weakest = Pairs.MinBy(kv => kv.Value);
                floor = weakest.Value;
                Pairs.Remove(weakest.Key);
            }

            Pairs[other] = floor + 1;
        }
    }
}

/// <summary>How much a <see cref="CoOccurrence"/> may hold (see its remarks for the memory this means).</summary>
public sealed record CoOccurrenceBounds(int MaxItems = 100_000, int MaxNeighbours = 64)
{
    public static CoOccurrenceBounds Default { get; } = new();
}
