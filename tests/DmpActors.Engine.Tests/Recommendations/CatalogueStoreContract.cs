using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Recommendations;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Recommendations;

public abstract class CatalogueStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    protected abstract Task<ICatalogueStore> CreateStoreAsync();

    private static CatalogueItem Item(string id, bool learned = false, string? title = "Trail shoe") => new()
    {
        Id = id, Title = title, Category = "shoes", Price = 59.9m, Tags = ["running", "trail"], Available = true,
        Learned = learned, UpdatedAt = T0,
    };

    protected async Task Items_round_trip_with_every_field()
    {
        await using var store = await CreateStoreAsync();
        var item = Item("sku-1") with { Available = false };

        await store.PutAsync([item]);

        Assert.Equal(item, await store.GetAsync("sku-1"));
        Assert.Null(await store.GetAsync("sku-unknown"));
        Assert.Equal(1, await store.CountAsync());
    }

    protected async Task A_learned_entry_never_replaces_a_catalogued_one_but_a_catalogued_one_replaces_a_learned_one()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync([Item("shop", title: "From the shop"), Item("seen", learned: true, title: null)]);

        await store.PutAsync([Item("shop", learned: true, title: null), Item("seen", title: "Now catalogued")]);

        Assert.Equal("From the shop", (await store.GetAsync("shop"))!.Title);
        var seen = (await store.GetAsync("seen"))!;
        Assert.Equal("Now catalogued", seen.Title);
        Assert.False(seen.Learned);
    }

    protected async Task Items_list_in_id_order_page_by_page()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(Enumerable.Range(0, 25).Select(i => Item($"sku-{i:D2}")).Reverse().ToArray());

        var first = await store.ListAsync(null, 10);
        var second = await store.ListAsync(first[^1].Id, 10);
        var last = await store.ListAsync(second[^1].Id, 10);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"sku-{i:D2}"), first.Select(i => i.Id));
        Assert.Equal("sku-10", second[0].Id);
        Assert.Equal(5, last.Count);
        Assert.Empty(await store.ListAsync("sku-24", 10));
        Assert.Equal(25, await store.CountAsync());
    }
}

public sealed class SqliteCatalogueStoreTests : CatalogueStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override async Task<ICatalogueStore> CreateStoreAsync()
    {
        var store = new SqliteCatalogueStore(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        await store.InitializeAsync();
        return store;
    }

    [Fact] public Task Sqlite_items_round_trip_with_every_field() => Items_round_trip_with_every_field();
    [Fact] public Task Sqlite_a_learned_entry_never_replaces_a_catalogued_one() => A_learned_entry_never_replaces_a_catalogued_one_but_a_catalogued_one_replaces_a_learned_one();
    [Fact] public Task Sqlite_items_list_in_id_order_page_by_page() => Items_list_in_id_order_page_by_page();

    [Fact]
    public async Task Sqlite_items_share_the_profile_database_and_survive_a_reopen()
    {
        var file = Path.Combine(_dir.Path, "profiles.db");
        await using (var profiles = new DmpActors.Engine.Storage.SqliteProfileStore(file)) await profiles.InitializeAsync();
        await using (var store = new SqliteCatalogueStore(file))
        {
            await store.InitializeAsync();
            await store.PutAsync([new CatalogueItem { Id = "sku-1", Title = "Kept" }]);
        }

        await using var reopened = new SqliteCatalogueStore(file);
        await reopened.InitializeAsync();
        Assert.Equal("Kept", (await reopened.GetAsync("sku-1"))!.Title);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class InMemoryCatalogueStoreTests : CatalogueStoreContract
{
    protected override Task<ICatalogueStore> CreateStoreAsync() => Task.FromResult<ICatalogueStore>(new InMemoryCatalogueStore());

    [Fact] public Task Memory_items_round_trip_with_every_field() => Items_round_trip_with_every_field();
    [Fact] public Task Memory_a_learned_entry_never_replaces_a_catalogued_one() => A_learned_entry_never_replaces_a_catalogued_one_but_a_catalogued_one_replaces_a_learned_one();
    [Fact] public Task Memory_items_list_in_id_order_page_by_page() => Items_list_in_id_order_page_by_page();
}

public sealed class PostgresCatalogueStoreTests : CatalogueStoreContract
{
    protected override async Task<ICatalogueStore> CreateStoreAsync()
    {
        var store = new PostgresCatalogueStore(await TestDatabases.CreatePostgresDatabaseAsync());
        await store.InitializeAsync();
        return store;
    }

    [PostgresFact] public Task Postgres_items_round_trip_with_every_field() => Items_round_trip_with_every_field();
    [PostgresFact] public Task Postgres_a_learned_entry_never_replaces_a_catalogued_one() => A_learned_entry_never_replaces_a_catalogued_one_but_a_catalogued_one_replaces_a_learned_one();
    [PostgresFact] public Task Postgres_items_list_in_id_order_page_by_page() => Items_list_in_id_order_page_by_page();
}
