using System.Text.Json;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Engine.Recommendations;

/// <summary>
/// Durable home of the item catalogue: table <c>items</c> (PostgreSQL: <c>dmp_items</c>) in the profile store's
/// database, one row per item with its entry as JSON. Low-rate (catalogue writes and learned items, batched), so one
/// transaction per batch is plenty; the recommender serves from its in-memory copy, loaded once at start.
/// </summary>
public interface ICatalogueStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Upserts the items in one transaction. A learned entry never replaces a catalogued one (a write from the
    /// shop wins over what events taught, whichever lands last).</summary>
    Task PutAsync(IReadOnlyList<CatalogueItem> items, CancellationToken ct = default);

    Task<CatalogueItem?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Items ordered by id, after <paramref name="afterId"/> (exclusive, null: from the start), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<CatalogueItem>> ListAsync(string? afterId, int limit, CancellationToken ct = default);

    Task<long> CountAsync(CancellationToken ct = default);
}

public static class CatalogueStoreFactory
{
    public static ICatalogueStore Create(Hosting.StorageOptions storage) => storage.Provider.ToLowerInvariant() switch
    {
        "sqlite" => new SqliteCatalogueStore(Path.Combine(storage.DataDirectory, "profiles.db")),
        "postgresql" => new PostgresCatalogueStore(storage.ConnectionString!),
        "memory" => new InMemoryCatalogueStore(),
        var other => throw new ArgumentException($"Dmp:Storage:Provider: unknown provider '{other}'"),
    };
}

/// <summary>The JSON a row holds.</summary>
internal static class CatalogueJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private sealed record Row(string Id, string? Title, string? Category, decimal? Price, string[]? Tags, bool Available, bool Learned,
        DateTimeOffset? UpdatedAt);

    public static string Write(CatalogueItem item) => JsonSerializer.Serialize(
        new Row(item.Id, item.Title, item.Category, item.Price, item.Tags.ToArray(), item.Available, item.Learned, item.UpdatedAt), Options);

    public static CatalogueItem Read(string json)
    {
        var row = JsonSerializer.Deserialize<Row>(json, Options) ?? throw new FormatException("empty catalogue row");
        return new CatalogueItem
        {
            Id = row.Id, Title = row.Title, Category = row.Category, Price = row.Price, Tags = row.Tags ?? [],
            Available = row.Available, Learned = row.Learned, UpdatedAt = row.UpdatedAt,
        };
    }

    /// <summary>The entry to keep when <paramref name="incoming"/> meets <paramref name="stored"/>.</summary>
    public static bool Replaces(CatalogueItem incoming, bool storedLearned) => !incoming.Learned || storedLearned;
}

public sealed class InMemoryCatalogueStore : ICatalogueStore
{
    private readonly SortedDictionary<string, CatalogueItem> _items = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task PutAsync(IReadOnlyList<CatalogueItem> items, CancellationToken ct = default)
    {
        lock (_items)
        {
            foreach (var item in items)
            {
                if (!_items.TryGetValue(item.Id, out var stored) || CatalogueJson.Replaces(item, stored.Learned)) _items[item.Id] = item;
            }
        }

        return Task.CompletedTask;
    }

    public Task<CatalogueItem?> GetAsync(string id, CancellationToken ct = default)
    {
        lock (_items) return Task.FromResult(_items.GetValueOrDefault(id));
    }

    public Task<IReadOnlyList<CatalogueItem>> ListAsync(string? afterId, int limit, CancellationToken ct = default)
    {
        lock (_items)
        {
            IReadOnlyList<CatalogueItem> page = _items.Values
                .Where(i => afterId is null || string.CompareOrdinal(i.Id, afterId) > 0).Take(limit).ToArray();
            return Task.FromResult(page);
        }
    }

    public Task<long> CountAsync(CancellationToken ct = default)
    {
        lock (_items) return Task.FromResult((long)_items.Count);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
