namespace DmpActors.Domain.Events;

/// <summary>One line of a purchase.</summary>
public sealed record LineItem(string ItemId, string? Category, decimal Price, int Quantity);

/// <summary>
/// A validated event. Only the fields that belong to <see cref="Type"/> are set; the rest stay null.
/// Built by <see cref="EventParser"/>; tests and replays may build one directly.
/// </summary>
public sealed record UserEvent
{
    private readonly IReadOnlyList<LineItem> _items = Array.Empty<LineItem>();

    public required string EventId { get; init; }
    public required EventType Type { get; init; }
    public string? UserId { get; init; }
    public string? AnonymousId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public string? Url { get; init; }
    public string? ItemId { get; init; }
    public string? Category { get; init; }
    public decimal? Price { get; init; }
    public int? Quantity { get; init; }
    public string? Query { get; init; }
    public string? OrderId { get; init; }

    /// <summary>Purchase lines; never null (empty for every other type).</summary>
    public IReadOnlyList<LineItem> Items
    {
        get => _items;
        init => _items = value ?? Array.Empty<LineItem>();
    }

    public decimal? Revenue { get; init; }
    public string? Currency { get; init; }
    public string? PreviousId { get; init; }
    public IReadOnlyDictionary<string, bool>? ConsentPurposes { get; init; }
    public string? CampaignId { get; init; }
    public string? VariantId { get; init; }
    public string? Name { get; init; }

    /// <summary>The served recommendation list a click came from (product_view, offer_click).</summary>
    public string? RecommendationId { get; init; }

    /// <summary>Identify traits; a null value removes that trait from the profile.</summary>
    public IReadOnlyDictionary<string, string?>? Traits { get; init; }

    /// <summary>The id the event is routed to: the user id once known, else the anonymous id.</summary>
    public string EntityId => UserId ?? AnonymousId!;

    /// <summary>Content equality, including the items, purposes and traits.</summary>
    public bool Equals(UserEvent? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && EventId == other.EventId && Type == other.Type && UserId == other.UserId && AnonymousId == other.AnonymousId
            && Timestamp.Equals(other.Timestamp) && Timestamp.Offset == other.Timestamp.Offset
            && Url == other.Url && ItemId == other.ItemId && Category == other.Category && Price == other.Price
            && Quantity == other.Quantity && Query == other.Query && OrderId == other.OrderId && Revenue == other.Revenue
            && Currency == other.Currency && PreviousId == other.PreviousId && CampaignId == other.CampaignId
            && VariantId == other.VariantId && Name == other.Name && RecommendationId == other.RecommendationId
            && Items.SequenceEqual(other.Items)
            && SameEntries(ConsentPurposes, other.ConsentPurposes)
            && SameEntries(Traits, other.Traits));

    public override int GetHashCode() => HashCode.Combine(EventId, Type, Timestamp);

    private static bool SameEntries<TValue>(IReadOnlyDictionary<string, TValue>? a, IReadOnlyDictionary<string, TValue>? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<TValue>.Default.Equals(value, other)) return false;
        }

        return true;
    }
}
