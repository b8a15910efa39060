namespace DmpActors.Domain.Quality;

/// <summary>A next-basket recommender built from the history: the top <c>k</c> items it expects a customer to buy next.</summary>
public interface INextBasketModel
{
    string Name { get; }

    IReadOnlyList<string> Recommend(string customer, int k);
}

/// <summary>What the history says about items: how many orders hold each (overall and per customer) and when a customer
/// last bought each. Counts are of orders, not quantities: a customer who buys 100 of an item once bought it once.</summary>
public sealed class PurchaseCounts
{
    private readonly Dictionary<string, Dictionary<string, (int Orders, DateTimeOffset Last)>> _byCustomer = new(StringComparer.Ordinal);

    public PurchaseCounts(IReadOnlyDictionary<string, IReadOnlyList<Order>> history)
    {
        var global = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (customer, orders) in history)
        {
            var mine = _byCustomer[customer] = new Dictionary<string, (int, DateTimeOffset)>(StringComparer.Ordinal);
            foreach (var order in orders)
            foreach (var item in order.Items)
            {
                global[item] = global.GetValueOrDefault(item) + 1;
                var (count, last) = mine.GetValueOrDefault(item);
                mine[item] = (count + 1, order.At > last ? order.At : last);
            }
        }

        Popular = global.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();
        Rank = Popular.Select((item, i) => (item, i)).ToDictionary(p => p.item, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Every item sold in the history, most ordered first (ties by item id).</summary>
    public IReadOnlyList<string> Popular { get; }

    /// <summary>An item's position in <see cref="Popular"/>.</summary>
    public IReadOnlyDictionary<string, int> Rank { get; }

    /// <summary>The customer's items with the number of their orders that held each (none for an unknown customer).</summary>
    public IReadOnlyDictionary<string, (int Orders, DateTimeOffset Last)> Of(string customer) =>
        _byCustomer.TryGetValue(customer, out var mine) ? mine : new Dictionary<string, (int, DateTimeOffset)>();
}

/// <summary>Everyone gets the items held by the most orders in the history.</summary>
public sealed class GlobalTopFrequency(PurchaseCounts counts) : INextBasketModel
{
    public string Name => "global top-frequency";

    public IReadOnlyList<string> Recommend(string customer, int k) => counts.Popular.Take(k).ToList();
}

/// <summary>The customer's own items, in most of their orders first; ties go to the one bought last, then the more popular.
/// A customer with fewer than k items gets fewer.</summary>
public sealed class PersonalTopFrequency(PurchaseCounts counts) : INextBasketModel
{
    public string Name => "personal top-frequency";

    public IReadOnlyList<string> Recommend(string customer, int k) => counts.Of(customer)
        .OrderByDescending(p => p.Value.Orders).ThenByDescending(p => p.Value.Last).ThenBy(p => counts.Rank[p.Key])
        .Take(k).Select(p => p.Key).ToList();
}

/// <summary>Personal top-frequency, its free places filled with the global top-frequency items the customer has not had.</summary>
public sealed class PersonalThenGlobal(PurchaseCounts counts) : INextBasketModel
{
    private readonly PersonalTopFrequency _personal = new(counts);

    public string Name => "personal + global top-frequency";

    public IReadOnlyList<string> Recommend(string customer, int k)
    {
        var list = _personal.Recommend(customer, k).ToList();
        var taken = list.ToHashSet(StringComparer.Ordinal);
        list.AddRange(counts.Popular.Where(item => !taken.Contains(item)).Take(k - list.Count));
        return list;
    }
}
