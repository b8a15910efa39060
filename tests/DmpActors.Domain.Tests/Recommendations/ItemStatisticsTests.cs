using DmpActors.Domain.Events;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

public class ItemStatisticsTests
{
    [Fact]
    public void Items_named_by_events_are_learned_with_what_the_events_say()
    {
        var stats = Shop.Stats();
        var learned = stats.Apply(Shop.View("u", "sku-1", category: "shoes") with { Price = 59.9m });

        var item = Assert.Single(learned);
        Assert.Equal(new CatalogueItem { Id = "sku-1", Category = "shoes", Price = 59.9m, Learned = true, UpdatedAt = Shop.T0 }, item);
        Assert.Same(item, stats.Catalogue.Find("sku-1"));
        Assert.Empty(stats.Apply(Shop.View("u", "sku-1", 1, category: "other"))); // a learned category stays
    }

    [Fact]
    public void A_learned_item_takes_what_it_lacked_and_a_catalogued_item_is_never_changed_by_events()
    {
        var stats = Shop.Stats(Shop.Item("sku-2", "boots"));
        stats.Apply(Shop.View("u", "sku-1"));

        var completed = Assert.Single(stats.Apply(Shop.View("u", "sku-1", 1, category: "shoes")));
        Assert.Equal("shoes", completed.Category);
        Assert.Empty(stats.Apply(Shop.View("u", "sku-2", 2, category: "sandals")));
        Assert.Equal("boots", stats.Catalogue.Find("sku-2")!.Category);
        Assert.False(stats.Catalogue.Find("sku-2")!.Learned);
    }

    [Fact]
    public void Purchases_are_baskets_and_views_within_a_session_are_co_viewed()
    {
        var stats = Shop.Stats();
        stats.Apply(Shop.Purchase("u", 0, "a", "b"));
        stats.Apply(Shop.View("u", "x", 1));
        stats.Apply(Shop.View("u", "y", 5));
        stats.Apply(Shop.View("u", "x", 6)); // same session, already in it
        stats.Apply(Shop.View("u", "z", 60)); // 54 minutes later: a new session

        Assert.Equal(1, stats.CoBought.Transactions);
        Assert.Equal(1, stats.CoBought.Together("a", "b"));
        Assert.Equal(2, stats.CoViewed.Transactions);
        Assert.Equal(1, stats.CoViewed.Together("x", "y"));
        Assert.Equal(0, stats.CoViewed.Together("y", "z"));
        Assert.Equal(["a", "b"], stats.Sessions.BoughtBy("u").Order());
        Assert.Equal(["z"], stats.Sessions.SessionOf("u"));
    }

    [Fact]
    public void Popularity_weighs_views_carts_and_orders_and_trending_forgets_outside_its_window()
    {
        var stats = Shop.Stats();
        stats.Apply(Shop.View("u", "a"));
        stats.Apply(new UserEvent { EventId = "c1", Type = EventType.AddToCart, UserId = "u", Timestamp = Shop.T0, ItemId = "a" });
        stats.Apply(Shop.Purchase("u", 0, "a") with { Items = [new LineItem("a", null, 1, 2)] });

        Assert.Equal(1 + 3 + 5, stats.Popularity.PopularityOf("a"));
        Assert.Equal(9, stats.Popularity.TrendingOf("a", Shop.T0.AddHours(23)));
        Assert.Equal(0, stats.Popularity.TrendingOf("a", Shop.T0.AddHours(25)));
        Assert.Equal(9, stats.Popularity.PopularityOf("a"));
    }

    [Fact]
    public void Popularity_counts_orders_not_units()
    {
        var stats = Shop.Stats();
        stats.Apply(Shop.Purchase("u", 0, "bulk") with { Items = [new LineItem("bulk", null, 1, 1000), new LineItem("bulk", null, 1, 500)] });
        for (var i = 0; i < 3; i++) stats.Apply(Shop.Purchase($"u{i}", 1, "often"));

        Assert.Equal(5, stats.Popularity.PopularityOf("bulk"));
        Assert.Equal(["often", "bulk"], stats.Popularity.Popular(Shop.T0.AddHours(1)).Select(s => s.ItemId));
    }

    [Fact]
    public void Trending_ranks_recent_interest_above_old_popularity()
    {
        var stats = Shop.Stats();
        for (var i = 0; i < 10; i++) stats.Apply(Shop.View($"old-{i}", "classic"));
        for (var i = 0; i < 3; i++) stats.Apply(Shop.View($"new-{i}", "hot", 60 * 30));
        var now = Shop.T0.AddHours(31);

        Assert.Equal(["hot"], stats.Popularity.Trending(now).Select(s => s.ItemId));
        Assert.Equal(["classic", "hot"], stats.Popularity.Popular(now).Select(s => s.ItemId));
    }

    [Fact]
    public void Top_lists_are_reused_within_their_refresh_interval()
    {
        var popularity = new ItemPopularity(PopularityOptions.Default with { TopListRefresh = TimeSpan.FromSeconds(1) });
        popularity.Add("a", 1, Shop.T0);
        Assert.Single(popularity.Popular(Shop.T0));

        popularity.Add("b", 5, Shop.T0);
        Assert.Single(popularity.Popular(Shop.T0.AddMilliseconds(500)));
        Assert.Equal(["b", "a"], popularity.Popular(Shop.T0.AddSeconds(1)).Select(s => s.ItemId));
    }

    [Fact]
    public void The_session_tracker_keeps_at_most_its_users_and_forgets_the_least_recent()
    {
        var sessions = new SessionTracker(SessionOptions.Default with { MaxUsers = 2, MaxBoughtItems = 2 });
        sessions.OnPurchase("u1", ["a"]);
        sessions.OnPurchase("u2", ["b"]);
        sessions.OnPurchase("u1", ["c", "d"]);
        sessions.OnPurchase("u3", ["e"]);

        Assert.Equal(2, sessions.UserCount);
        Assert.Empty(sessions.BoughtBy("u2"));
        Assert.Equal(["d", "c"], sessions.BoughtBy("u1"));
    }

    [Fact]
    public void Catalogue_entries_are_validated()
    {
        Assert.Empty(Shop.Item("ok", "c").Validate());
        Assert.Contains(new CatalogueItem { Id = "" }.Validate(), e => e.Field == "id");
        Assert.Contains(new CatalogueItem { Id = "x", Price = -1 }.Validate(), e => e.Field == "price");
        Assert.Contains(new CatalogueItem { Id = "x", Tags = [" "] }.Validate(), e => e.Field == "tags");
    }
}
