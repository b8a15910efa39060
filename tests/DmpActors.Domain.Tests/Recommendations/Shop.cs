using DmpActors.Domain.Events;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

/// <summary>Events and catalogue entries for the recommendation tests.</summary>
internal static class Shop
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static int _next;

    public static UserEvent View(string user, string item, int minute = 0, string? category = null) => new()
    {
        EventId = $"v-{Interlocked.Increment(ref _next)}", Type = EventType.ProductView, UserId = user,
        Timestamp = T0.AddMinutes(minute), ItemId = item, Category = category,
    };

    public static UserEvent Purchase(string user, int minute, params string[] items) => new()
    {
        EventId = $"p-{Interlocked.Increment(ref _next)}", Type = EventType.Purchase, UserId = user, Timestamp = T0.AddMinutes(minute),
        OrderId = $"o-{_next}", Revenue = items.Length * 10, Currency = "EUR",
        Items = items.Select(i => new LineItem(i, null, 10, 1)).ToArray(),
    };

    public static CatalogueItem Item(string id, string category, string? title = null, bool available = true, params string[] tags) => new()
    {
        Id = id, Category = category, Title = title ?? id, Tags = tags, Available = available, Price = 10,
    };

    /// <summary>Statistics whose top lists are recomputed on every query, over a catalogue of <paramref name="items"/>.</summary>
    public static ItemStatistics Stats(params CatalogueItem[] items)
    {
        var stats = new ItemStatistics(new ItemStatisticsOptions
        {
            Popularity = PopularityOptions.Default with { TopListRefresh = TimeSpan.Zero },
        });
        foreach (var item in items) stats.Catalogue.Put(item);
        return stats;
    }
}
