using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

public class HybridRecommenderTests
{
    private static readonly DateTimeOffset Now = Shop.T0.AddHours(1);

    private static ItemStatistics Shopfront()
    {
        var stats = Shop.Stats(
            Shop.Item("phone", "phones", "Smartphone X"),
            Shop.Item("case", "accessories", "Phone case"),
            Shop.Item("charger", "accessories", "Fast charger"),
            Shop.Item("cable", "accessories", "USB cable"),
            Shop.Item("headset", "audio", "Wireless headset"),
            Shop.Item("tv", "tv", "Big TV"),
            Shop.Item("gone", "accessories", "Discontinued screen protector", available: false));
        stats.Apply(Shop.Purchase("a", 0, "phone", "case", "gone"));
        stats.Apply(Shop.Purchase("b", 1, "phone", "case"));
        stats.Apply(Shop.Purchase("c", 2, "phone", "charger"));
        for (var i = 0; i < 20; i++) stats.Apply(Shop.View($"crowd-{i}", "tv", 3)); // the most popular item
        return stats;
    }

    private static RecommendationRequest For(string? context = null, params string[] bought) => new()
    {
        Now = Now, ContextItem = context, Bought = bought.ToHashSet(), Count = 5,
    };

    [Fact]
    public void Items_co_bought_with_the_context_come_first_with_their_reason()
    {
        var r = HybridRecommender.Recommend(For("phone"), Shopfront());

        Assert.Equal("case", r.Items[0].ItemId);
        Assert.Equal(new RecommendationReason(ReasonKind.CoBought, "phone"), r.Items[0].Reason);
        Assert.Equal("co-bought with phone", r.Items[0].Reason.Text);
        Assert.Equal("charger", r.Items[1].ItemId);
        Assert.True(r.Personalized);
    }

    [Fact]
    public void Unavailable_items_and_the_context_item_are_never_recommended()
    {
        var r = HybridRecommender.Recommend(For("phone") with { Count = 50 }, Shopfront());

        Assert.DoesNotContain(r.Items, i => i.ItemId is "gone" or "phone");
    }

    [Fact]
    public void Bought_items_are_left_out_unless_the_request_keeps_them()
    {
        var stats = Shopfront();

        Assert.DoesNotContain(HybridRecommender.Recommend(For("phone", "case"), stats).Items, i => i.ItemId == "case");
        Assert.Contains(HybridRecommender.Recommend(For("phone", "case") with { ExcludeBought = false }, stats).Items, i => i.ItemId == "case");
    }

    [Fact]
    public void A_new_user_without_context_gets_trending_and_popular_items()
    {
        var r = HybridRecommender.Recommend(For(), Shopfront());

        Assert.False(r.Personalized);
        Assert.Equal("tv", r.Items[0].ItemId);
        Assert.All(r.Items, i => Assert.Contains(i.Reason.Kind, new[] { ReasonKind.Trending, ReasonKind.Popular }));
    }

    [Fact]
    public void A_personalization_denial_gets_popularity_only_whatever_the_profile_and_context()
    {
        // The item on the page is still not offered to itself.
        var request = For("phone") with
        {
            Personalization = false,
            RecentlyViewed = ["phone"],
            CategoryAffinities = [new AffinityScore("accessories", 5)],
        };

        var r = HybridRecommender.Recommend(request, Shopfront());

        Assert.False(r.Personalized);
        Assert.All(r.Items, i => Assert.Equal(ReasonKind.Popular, i.Reason.Kind));
        var popular = Shopfront().Popularity.Popular(Now).Select(s => s.ItemId).Where(id => id is not "gone" and not "phone").Take(5);
        Assert.Equal(popular, r.Items.Select(i => i.ItemId));
    }

    [Fact]
    public void At_most_n_items_per_category()
    {
        var r = HybridRecommender.Recommend(For("phone") with { MaxPerCategory = 1, Count = 10 }, Shopfront());

        Assert.All(r.Items.GroupBy(i => i.Category), g => Assert.Single(g));
        Assert.Single(r.Items, i => i.Category == "accessories");
    }

    [Fact]
    public void A_new_view_changes_the_list_through_items_viewed_together()
    {
        var stats = Shopfront();
        stats.Apply(Shop.View("x", "headset", 10));
        stats.Apply(Shop.View("x", "cable", 11));
        var before = HybridRecommender.Recommend(For() with { RecentlyViewed = ["tv"] }, stats);

        var after = HybridRecommender.Recommend(For() with { RecentlyViewed = ["headset", "tv"] }, stats);

        Assert.NotEqual(before.Items.Select(i => i.ItemId), after.Items.Select(i => i.ItemId));
        var cable = Assert.Single(after.Items, i => i.ItemId == "cable");
        Assert.Equal(new RecommendationReason(ReasonKind.CoViewed, "headset"), cable.Reason);
    }

    [Fact]
    public void A_new_item_with_no_history_is_recommended_as_similar_to_what_the_user_viewed()
    {
        var stats = Shopfront();
        stats.Catalogue.Put(Shop.Item("phone-2", "phones", "Smartphone X Pro"));

        var r = HybridRecommender.Recommend(For("phone") with { Count = 10 }, stats);

        var fresh = Assert.Single(r.Items, i => i.ItemId == "phone-2");
        Assert.Equal(new RecommendationReason(ReasonKind.Similar, "phone"), fresh.Reason);
    }

    [Fact]
    public void Category_affinity_lifts_items_of_the_liked_category()
    {
        var stats = Shopfront();
        var neutral = HybridRecommender.Recommend(For() with { Count = 10 }, stats);
        var likesAccessories = HybridRecommender.Recommend(For() with { Count = 10, CategoryAffinities = [new AffinityScore("accessories", 2)] }, stats);

        Assert.NotEqual("accessories", neutral.Items[0].Category);
        Assert.Equal("accessories", likesAccessories.Items[0].Category);
        Assert.Equal(new RecommendationReason(ReasonKind.Category, "accessories"), likesAccessories.Items[0].Reason);
    }

    [Fact]
    public void Weights_change_the_blend_and_zero_turns_a_source_off()
    {
        var stats = Shopfront();
        var noCoBought = BlendWeights.Default with { CoBought = 0 };

        var r = HybridRecommender.Recommend(For("phone"), stats, noCoBought);

        Assert.DoesNotContain(r.Items, i => i.Reason.Kind == ReasonKind.CoBought);
        Assert.Empty(BlendWeights.Default.Validate());
        Assert.Contains((BlendWeights.Default with { Trending = -1 }).Validate(), e => e.Key == "Trending");
    }

    [Fact]
    public void Seeds_keep_the_largest_weight_and_older_views_count_less()
    {
        var seeds = HybridRecommender.Seeds(For("a") with { RecentlyViewed = ["a", "b", "c"] }, BlendWeights.Default).ToDictionary();

        Assert.Equal(1.0, seeds["a"], 12);
        Assert.Equal(0.7 * 0.8, seeds["b"], 12);
        Assert.Equal(0.7 * 0.8 * 0.8, seeds["c"], 12);
    }

    [Fact]
    public void Items_absent_from_the_catalogue_are_not_recommended()
    {
        var stats = Shop.Stats(Shop.Item("known", "k"));
        stats.Catalogue.Put(Shop.Item("known", "k"));
        stats.Popularity.Add("unknown", 100, Shop.T0);
        stats.Popularity.Add("known", 1, Shop.T0);

        Assert.Equal(["known"], HybridRecommender.Recommend(For(), stats).Items.Select(i => i.ItemId));
    }

    [Fact]
    public void Items_without_a_category_are_not_capped_together()
    {
        var stats = Shop.Stats();
        for (var i = 0; i < 6; i++)
        {
            stats.Catalogue.Put(new CatalogueItem { Id = $"n{i}", Title = $"n{i}", Available = true });
            stats.Apply(Shop.Purchase($"u{i}", i, $"n{i}"));
        }

        var r = HybridRecommender.Recommend(new RecommendationRequest { Now = Now, Count = 10, MaxPerCategory = 3 }, stats);

        Assert.Equal(6, r.Items.Count);
    }

    [Fact]
    public void The_items_a_user_bought_return_as_repeat_candidates_when_bought_items_are_kept()
    {
        var stats = Shopfront();
        var request = For(null, "headset", "cable") with
        {
            ItemAffinities = [new AffinityScore("headset", 10), new AffinityScore("cable", 4), new AffinityScore("tv", 8)],
            ExcludeBought = false,
        };

        var r = HybridRecommender.Recommend(request, stats);

        Assert.Equal("headset", r.Items[0].ItemId);
        Assert.Equal(new RecommendationReason(ReasonKind.Repeat, null), r.Items[0].Reason);
        Assert.Equal("repeat", r.Items[0].Reason.Wire);
        Assert.Contains(r.Items, i => i.ItemId == "cable" && i.Reason.Kind == ReasonKind.Repeat);
        Assert.Contains(r.Items, i => i.ItemId == "tv" && i.Reason.Kind != ReasonKind.Repeat); // viewed, never bought
        var none = HybridRecommender.Recommend(request, stats, BlendWeights.Default with { Repeat = 0 });
        Assert.NotEqual(ReasonKind.Repeat, none.Items[0].Reason.Kind);
        Assert.DoesNotContain(HybridRecommender.Recommend(request with { ExcludeBought = true }, stats).Items, i => i.ItemId is "headset" or "cable");
    }
}
