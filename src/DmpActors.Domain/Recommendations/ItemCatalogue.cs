namespace DmpActors.Domain.Recommendations;

/// <summary>
/// The catalogue as the recommender sees it: every known item by id, with its content index. Holds the whole
/// catalogue in memory (about 0.5 KB per item with its index entries: a million items ≈ 0.5 GB). Not thread-safe: one
/// owner writes, readers take its lock.
/// </summary>
public sealed class ItemCatalogue
{
    private readonly Dictionary<string, CatalogueItem> _items = new(StringComparer.Ordinal);

    public ItemCatalogue(ContentIndex? content = null) => Content = content ?? new ContentIndex();

    public ContentIndex Content { get; }

    public int Count => _items.Count;

    public CatalogueItem? Find(string id) => _items.GetValueOrDefault(id);

    public IEnumerable<CatalogueItem> Items => _items.Values;

    /// <summary>Adds or replaces an item; returns false when <paramref name="item"/> is what is held already.</summary>
    public bool Put(CatalogueItem item)
    {
        if (_items.TryGetValue(item.Id, out var current) && current.Equals(item)) return false;
        _items[item.Id] = item;
        Content.Upsert(item);
        return true;
    }

    /// <summary>Learns what <paramref name="e"/> says about items absent from the catalogue (see
    /// <see cref="CatalogueItem.LearnFrom"/>); returns the entries added or completed.</summary>
    public IReadOnlyList<CatalogueItem> Learn(Events.UserEvent e)
    {
        List<CatalogueItem>? learned = null;
        foreach (var item in CatalogueItem.LearnFrom(e, Find).ToArray())
        {
            if (Put(item)) (learned ??= []).Add(item);
        }

        return learned ?? (IReadOnlyList<CatalogueItem>)[];
    }
}
