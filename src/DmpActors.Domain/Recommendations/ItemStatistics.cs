using DmpActors.Domain.Events;

namespace DmpActors.Domain.Recommendations;

/// <summary>
/// Everything the recommender learns from the event stream, folded one event at a time: the catalogue's learned
/// items, co-bought counts (one transaction per purchase), co-viewed counts (one per session), popularity and
/// trending, and each user's recent session and purchases. Every part is bounded (see each type). Not thread-safe:
/// one owner applies events, readers take its lock.
/// </summary>
public sealed class ItemStatistics
{
    public ItemStatistics(ItemStatisticsOptions? options = null, ItemCatalogue? catalogue = null)
    {
        Options = options ?? ItemStatisticsOptions.Default;
        Catalogue = catalogue ?? new ItemCatalogue();
        CoBought = new CoOccurrence(Options.CoOccurrence);
        CoViewed = new CoOccurrence(Options.CoOccurrence);
        Popularity = new ItemPopularity(Options.Popularity);
        Sessions = new SessionTracker(Options.Sessions);
    }

    public ItemStatisticsOptions Options { get; }
    public ItemCatalogue Catalogue { get; }
    public CoOccurrence CoBought { get; }
    public CoOccurrence CoViewed { get; }
    public ItemPopularity Popularity { get; }
    public SessionTracker Sessions { get; }

    /// <summary>Events applied so far.</summary>
    public long EventsApplied { get; private set; }

    /// <summary>Latest event time applied.</summary>
    public DateTimeOffset? LatestEventTime { get; private set; }

    /// <summary>Folds one event in; returns the catalogue entries it taught (learned or completed items).</summary>
    public IReadOnlyList<CatalogueItem> Apply(UserEvent e)
    {
        var learned = Catalogue.Learn(e);
        var user = e.EntityId;
        var weights = Options.Popularity;
        switch (e.Type)
        {
            case EventType.ProductView when e.ItemId is { } item:
                Popularity.Add(item, weights.ViewWeight, e.Timestamp);
                Sessions.OnView(user, item, e.Timestamp, CoViewed);
                break;
            case EventType.AddToCart when e.ItemId is { } item:
                Popularity.Add(item, weights.CartWeight, e.Timestamp);
                break;
            case EventType.Purchase when e.Items.Count > 0:
                // Orders, not units: an item in many orders outranks one sold by the thousand in a few.
                foreach (var item in e.Items.Select(l => l.ItemId).Distinct(StringComparer.Ordinal))
                    Popularity.Add(item, weights.PurchaseWeight, e.Timestamp);
                CoBought.AddTransaction(e.Items.Select(l => l.ItemId));
                Sessions.OnPurchase(user, e.Items.Select(l => l.ItemId));
                break;
        }

        EventsApplied++;
        if (LatestEventTime is null || e.Timestamp > LatestEventTime) LatestEventTime = e.Timestamp;
        return learned;
    }
}

public sealed record ItemStatisticsOptions
{
    public static ItemStatisticsOptions Default { get; } = new();

    public CoOccurrenceBounds CoOccurrence { get; init; } = CoOccurrenceBounds.Default;
    public PopularityOptions Popularity { get; init; } = PopularityOptions.Default;
    public SessionOptions Sessions { get; init; } = SessionOptions.Default;
}
