using DmpActors.Domain.Events;

namespace DmpActors.Domain.Profiles.Windows;

/// <summary>The standard query windows and their names in views.</summary>
public static class WindowSpans
{
    public static readonly IReadOnlyList<(string Name, TimeSpan Span)> Standard =
    [
        ("1h", TimeSpan.FromHours(1)),
        ("24h", TimeSpan.FromDays(1)),
        ("7d", TimeSpan.FromDays(7)),
        ("30d", TimeSpan.FromDays(30)),
    ];
}

/// <summary>Behaviour metric values over one window ending at a query time.</summary>
/// <param name="EventsByType">Events per type (types with none are absent).</param>
/// <param name="DistinctItemsExact">False when the count is a HyperLogLog estimate (see <see cref="DistinctItems"/>).</param>
/// <param name="Revenue">Purchase revenue, to the cent.</param>
public sealed record WindowValues(
    IReadOnlyDictionary<EventType, long> EventsByType,
    IReadOnlyDictionary<string, long> ProductViewsByCategory,
    long DistinctItemsViewed,
    bool DistinctItemsExact,
    decimal Revenue,
    long Sessions,
    IReadOnlyDictionary<string, long> OfferImpressions,
    IReadOnlyDictionary<string, long> OfferClicks)
{
    public long CountOf(EventType type) => EventsByType.TryGetValue(type, out var n) ? n : 0;

    public long ProductViews => CountOf(EventType.ProductView);
    public long AddToCart => CountOf(EventType.AddToCart);
    public long Purchases => CountOf(EventType.Purchase);
    public long Searches => CountOf(EventType.Search);
}
