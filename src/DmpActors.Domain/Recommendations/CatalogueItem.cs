using DmpActors.Domain.Events;

namespace DmpActors.Domain.Recommendations;

/// <summary>
/// One item of the catalogue. <see cref="Learned"/> is true for an item the platform only knows from events (its id,
/// category and price as the events gave them); a catalogue write replaces it with what the shop says.
/// </summary>
public sealed record CatalogueItem
{
    public const int MaxIdLength = 256;
    public const int MaxTitleLength = 512;
    public const int MaxTags = 32;

    private readonly IReadOnlyList<string> _tags = Array.Empty<string>();

    public required string Id { get; init; }
    public string? Title { get; init; }
    public string? Category { get; init; }
    public decimal? Price { get; init; }

    public IReadOnlyList<string> Tags
    {
        get => _tags;
        init => _tags = value ?? Array.Empty<string>();
    }

    /// <summary>Unavailable items are never recommended.</summary>
    public bool Available { get; init; } = true;

    public bool Learned { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Problems as (field, what is wrong); empty when the item can be stored.</summary>
    public IReadOnlyList<(string Field, string Problem)> Validate()
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > MaxIdLength) errors.Add(("id", $"must be 1 to {MaxIdLength} characters"));
        if (Title is { Length: > MaxTitleLength }) errors.Add(("title", $"at most {MaxTitleLength} characters"));
        if (Price is < 0) errors.Add(("price", "must not be negative"));
        if (Tags.Count > MaxTags) errors.Add(("tags", $"at most {MaxTags}"));
        if (Tags.Any(string.IsNullOrWhiteSpace)) errors.Add(("tags", "must not be empty"));
        return errors;
    }

    /// <summary>What an event teaches about items: for each item it names, the entry to keep given the current one
    /// (<paramref name="known"/>; null when absent). A catalogued item is never changed by events; a learned one takes
    /// a category or price it did not have yet. Returns only the entries that are new or changed.</summary>
    public static IEnumerable<CatalogueItem> LearnFrom(UserEvent e, Func<string, CatalogueItem?> known)
    {
        if (e.ItemId is { } itemId && Learn(known(itemId), itemId, e.Category, e.Price, e.Timestamp) is { } one)
            yield return one;
        foreach (var line in e.Items)
        {
            if (Learn(known(line.ItemId), line.ItemId, line.Category, line.Price, e.Timestamp) is { } learned) yield return learned;
        }
    }

    private static CatalogueItem? Learn(CatalogueItem? current, string id, string? category, decimal? price, DateTimeOffset at)
    {
        if (id.Length is 0 or > MaxIdLength) return null;
        if (current is null) return new CatalogueItem { Id = id, Category = category, Price = price, Learned = true, UpdatedAt = at };
        if (!current.Learned) return null;
        var next = current with { Category = current.Category ?? category, Price = current.Price ?? price };
        return next == current ? null : next with { UpdatedAt = at };
    }

    public bool Equals(CatalogueItem? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Id == other.Id && Title == other.Title && Category == other.Category && Price == other.Price
            && Available == other.Available && Learned == other.Learned && UpdatedAt == other.UpdatedAt
            && Tags.SequenceEqual(other.Tags, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Id, Title, Category, Price);
}
