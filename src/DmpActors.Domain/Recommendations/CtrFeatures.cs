namespace DmpActors.Domain.Recommendations;

/// <summary>What the recommender knows about an item's chances when it serves it: the item's own CTR and popularity,
/// the user's interest in it, the blend's view, and the context of the request.</summary>
public readonly record struct CtrContext(CtrEstimate ItemWeek, CtrEstimate SlotWeek, double TopPopularity, double TopTrending);

/// <summary>
/// The CTR model's input: one fixed vector per served item, computed when the list is served (never later, so the
/// rows it becomes cannot see their label). User features: recent views, strongest affinities, the affinity for this
/// item's category and for the item; item features: its smoothed week CTR and impressions, popularity, trending, price;
/// context: position, the blend's score and reason, the slot's CTR, whether the request named an item.
/// </summary>
public static class CtrFeatures
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "position", "blend_score", "reason", "item_ctr", "item_impressions_log", "popularity", "trending", "price_log",
        "category_affinity", "item_affinity", "recent_views", "personalized", "has_context", "slot_ctr",
    ];

    /// <summary>Index of the item's own smoothed CTR: the baseline ranks by it alone.</summary>
    public const int ItemCtr = 3;

    public static int Count => Names.Count;

    /// <summary>A week's CTR pulled towards 5 % by 20 pseudo-impressions, so a new item is neither 0 nor 1.</summary>
    public static float Smoothed(CtrEstimate e) => (float)((e.Clicks + 1.0) / (e.Impressions + 20.0));

    public static float[] Of(RecommendedItem item, int position, RecommendationRequest request, ItemStatistics stats, CtrContext context)
    {
        var f = new float[Count];
        f[0] = position;
        f[1] = (float)item.Score;
        f[2] = (float)item.Reason.Kind;
        f[3] = Smoothed(context.ItemWeek);
        f[4] = (float)Math.Log(1 + context.ItemWeek.Impressions);
        f[5] = context.TopPopularity > 0 ? (float)(stats.Popularity.PopularityOf(item.ItemId) / context.TopPopularity) : 0;
        f[6] = context.TopTrending > 0 ? (float)(stats.Popularity.TrendingOf(item.ItemId, request.Now) / context.TopTrending) : 0;
        f[7] = stats.Catalogue.Find(item.ItemId)?.Price is { } price ? (float)Math.Log(1 + (double)Math.Max(0, price)) : 0;
        f[8] = Relative(request.CategoryAffinities, item.Category);
        f[9] = Relative(request.ItemAffinities, item.ItemId);
        f[10] = request.RecentlyViewed.Count;
        f[11] = request.Personalization ? 1 : 0;
        f[12] = request.ContextItem is null ? 0 : 1;
        f[13] = Smoothed(context.SlotWeek);
        return f;
    }

    private static float Relative(IReadOnlyList<Profiles.Affinity.AffinityScore> scores, string? key)
    {
        if (key is null || scores.Count == 0) return 0;
        double strongest = 0, mine = 0;
        foreach (var s in scores)
        {
            strongest = Math.Max(strongest, s.Score);
            if (s.Key == key) mine = s.Score;
        }

        return strongest > 0 ? (float)(mine / strongest) : 0;
    }
}
