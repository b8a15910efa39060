using DmpActors.Domain.Import;

namespace DmpActors.Domain.Quality;

/// <summary>One sale of a known customer: its instant, its distinct items and its revenue (quantity × price summed).</summary>
public sealed record Order(string Customer, DateTimeOffset At, IReadOnlyList<string> Items, decimal Revenue);

/// <summary>
/// The orders the quality measures are computed on: the commonly cleaned subset of Online Retail (customer known,
/// quantity above 0, price above 0). Cancellations are left out: the measures ask what a customer buys and spends,
/// which a refund of an earlier order does not change (the same rule as the profile's revenue).
/// </summary>
public static class Purchases
{
    /// <summary>The orders of the given invoices (each invoice's lines), with times read in <paramref name="zone"/>.</summary>
    public static IReadOnlyList<Order> FromInvoices(IEnumerable<IReadOnlyList<OnlineRetailLine>> invoices, TimeZoneInfo zone)
    {
        var import = new OnlineRetailImport(zone);
        var orders = new List<Order>();
        foreach (var lines in invoices)
        {
            if (lines.Count == 0 || lines[0].IsCancellation || string.IsNullOrWhiteSpace(lines[0].CustomerId)) continue;
            var kept = lines.Where(l => l.Quantity > 0 && l.UnitPrice > 0).ToList();
            if (kept.Count == 0) continue;
            var items = kept.Select(l => l.StockCode).Distinct(StringComparer.Ordinal).ToList();
            orders.Add(new Order(lines[0].CustomerId!.Trim(), import.TimeOf(lines[0].InvoiceDate), items, kept.Sum(l => l.Quantity * l.UnitPrice)));
        }

        return orders;
    }
}

/// <summary>
/// A split by time: orders before <see cref="Cutoff"/> are the history, orders from it until <see cref="End"/> the
/// holdout. <see cref="Customers"/> are those with at least one order in the history, in ordinal order; a customer first
/// seen in the holdout has nothing to be predicted from and is left out of every measure.
/// </summary>
public sealed record TimeSplit(
    DateTimeOffset Cutoff,
    DateTimeOffset End,
    IReadOnlyList<string> Customers,
    IReadOnlyDictionary<string, IReadOnlyList<Order>> History,
    IReadOnlyDictionary<string, IReadOnlyList<Order>> Holdout)
{
    /// <summary>The holdout's length in days.</summary>
    public double HoldoutDays => (End - Cutoff).TotalDays;

    /// <summary>History up to and including <paramref name="lastHistoryDay"/>, holdout from the next day up to and including
    /// <paramref name="lastHoldoutDay"/>, both local dates in <paramref name="zone"/>. Orders of each customer in time order.
    /// With <paramref name="slice"/>, only the first that many customers (ordinal order of their ids) take part.</summary>
    public static TimeSplit Of(IEnumerable<Order> orders, DateOnly lastHistoryDay, DateOnly lastHoldoutDay, TimeZoneInfo zone, int? slice = null)
    {
        var cutoff = StartOf(lastHistoryDay.AddDays(1), zone);
        var end = StartOf(lastHoldoutDay.AddDays(1), zone);
        var all = orders.Where(o => o.At < end).OrderBy(o => o.At).ToList();
        var customers = all.Where(o => o.At < cutoff).Select(o => o.Customer).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToList();
        if (slice is { } n) customers = customers.Take(n).ToList();
        var known = customers.ToHashSet(StringComparer.Ordinal);
        var mine = all.Where(o => known.Contains(o.Customer)).ToList();
        return new TimeSplit(cutoff, end, customers, ByCustomer(mine.Where(o => o.At < cutoff)), ByCustomer(mine.Where(o => o.At >= cutoff)));
    }

    /// <summary>The customer's orders in the holdout (none when they did not come back).</summary>
    public IReadOnlyList<Order> HoldoutOf(string customer) => Holdout.TryGetValue(customer, out var orders) ? orders : [];

    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<Order>> ByCustomer(IEnumerable<Order> orders) =>
        orders.GroupBy(o => o.Customer, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Order>)g.ToList(), StringComparer.Ordinal);
}
