using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;

namespace DmpActors.Domain.Recommendations;

/// <summary>Where a recommended item came from. Wire names: co_bought, co_viewed, similar, category, trending, popular, repeat.</summary>
public enum ReasonKind
{
    CoBought,
    CoViewed,
    Similar,
    Category,
    Trending,
    Popular,
    Repeat,
}

/// <summary>Why an item is recommended: the candidate source that contributed most to its score, and the item (for
/// co-bought, co-viewed, similar) or category (for category) that led there.</summary>
public readonly record struct RecommendationReason(ReasonKind Kind, string? Anchor)
{
    public string Wire => Kind switch
    {
        ReasonKind.CoBought => "co_bought",
        ReasonKind.CoViewed => "co_viewed",
        ReasonKind.Similar => "similar",
        ReasonKind.Category => "category",
        ReasonKind.Trending => "trending",
        ReasonKind.Repeat => "repeat",
        _ => "popular",
    };

    /// <summary>For people: "co-bought with sku-1", "similar to sku-1", "popular in shoes", "trending", "popular".</summary>
    public string Text => Kind switch
    {
        ReasonKind.CoBought => $"co-bought with {Anchor}",
        ReasonKind.CoViewed => $"viewed together with {Anchor}",
        ReasonKind.Similar => $"similar to {Anchor}",
        ReasonKind.Category => $"popular in {Anchor}",
        ReasonKind.Trending => "trending",
        ReasonKind.Repeat => "bought before",
        _ => "popular",
    };
}

/// <summary>One recommended item with its blended score and reason.</summary>
public sealed record RecommendedItem(string ItemId, string? Category, double Score, RecommendationReason Reason);

/// <summary>A ranked list; <see cref="Personalized"/> is false when no profile feature was used.</summary>
public sealed record Recommendation(IReadOnlyList<RecommendedItem> Items, bool Personalized);

/// <summary>
/// What the blend knows about the user and the request. Built from the live profile with <see cref="ForProfile"/>;
/// a personalization denial leaves every profile feature out (and the blend then uses popularity only).
/// </summary>
public sealed record RecommendationRequest
{
    public int Count { get; init; } = 10;
    public string? ContextItem { get; init; }
    public string? Slot { get; init; }
    public required DateTimeOffset Now { get; init; }

    /// <summary>False when the user denied personalization: popularity only, no profile features, no context.</summary>
    public bool Personalization { get; init; } = true;

    /// <summary>Drop items in <see cref="Bought"/> (per request; default on).</summary>
    public bool ExcludeBought { get; init; } = true;

    /// <summary>At most this many items per category (null: the blend's default).</summary>
    public int? MaxPerCategory { get; init; }

    public IReadOnlyList<string> RecentlyViewed { get; init; } = [];
    public IReadOnlyList<AffinityScore> ItemAffinities { get; init; } = [];
    public IReadOnlyList<AffinityScore> CategoryAffinities { get; init; } = [];
    public IReadOnlySet<string> Bought { get; init; } = new HashSet<string>();

    /// <summary>Items shown to the user too often without a click: left out (see <see cref="CtrOptions.FatigueImpressions"/>).</summary>
    public IReadOnlySet<string> Fatigued { get; init; } = new HashSet<string>();

    /// <summary>The request for <paramref name="profile"/> (null: a user never seen) at <paramref name="now"/>;
    /// <paramref name="alsoBought"/> adds purchases known outside the profile (the item statistics' recent buys).</summary>
    public static RecommendationRequest ForProfile(UserProfile? profile, DateTimeOffset now, ProfileRules rules,
        IEnumerable<string>? alsoBought = null, int affinities = 10)
    {
        if (profile is not null && ConsentPurposes.IsDenied(profile.Consent, ConsentPurposes.Personalization))
            return new RecommendationRequest { Now = now, Personalization = false };

        var bought = new HashSet<string>(alsoBought ?? [], StringComparer.Ordinal);
        if (profile?.LastPurchase is { } last) bought.UnionWith(last.Items.Select(i => i.ItemId));
        return new RecommendationRequest
        {
            Now = now,
            Bought = bought,
            RecentlyViewed = profile?.RecentlyViewedItems ?? [],
            ItemAffinities = profile?.ItemAffinity.Top(affinities, now, rules) ?? [],
            CategoryAffinities = profile?.CategoryAffinity.Top(affinities, now, rules) ?? [],
        };
    }
}

/// <summary>
/// The weights of the hybrid blend (configuration Dmp:Recommendations:Weights). An item's score is the sum over
/// sources of weight × contribution, each contribution in [0, 1] per seed: confidence of a rule seed → item for
/// co-bought and co-viewed, TF-IDF cosine for similar (each times the seed's weight), the user's affinity for the
/// item's category relative to their strongest, and trending and popularity relative to the top item.
/// </summary>
public sealed record BlendWeights
{
    public static BlendWeights Default { get; } = new();

    public double CoBought { get; init; } = 1.0;
    public double CoViewed { get; init; } = 0.6;
    public double Similar { get; init; } = 0.5;
    public double Category { get; init; } = 0.3;
    public double Trending { get; init; } = 0.25;
    public double Popular { get; init; } = 0.1;

    /// <summary>Repeat purchases: the items the user bought, by their item affinity relative to the strongest (frequency
    /// with recency decay). They survive the filters only where bought items are kept (<c>exclude_bought=false</c>).</summary>
    public double Repeat { get; init; } = 1.0;

    /// <summary>Seed weights: the context item, the latest view (each older one × <see cref="RecentViewDecay"/>), and the
    /// strongest item affinity (others relative to it).</summary>
    public double ContextSeed { get; init; } = 1.0;
    public double RecentViewSeed { get; init; } = 0.7;
    public double RecentViewDecay { get; init; } = 0.8;
    public double ItemAffinitySeed { get; init; } = 0.5;
    public int MaxRecentViewSeeds { get; init; } = 10;

    /// <summary>At most this many seeds, the strongest (the context item first at its default weight).</summary>
    public int MaxSeeds { get; init; } = 8;

    /// <summary>Neighbours read per seed and source.</summary>
    public int NeighboursPerSeed { get; init; } = 10;

    /// <summary>Diversity: at most this many items per category unless the request says otherwise.</summary>
    public int MaxPerCategory { get; init; } = 3;

    public IReadOnlyList<(string Key, string Problem)> Validate()
    {
        var errors = new List<(string, string)>();
        foreach (var (key, value) in new[] { (nameof(CoBought), CoBought), (nameof(CoViewed), CoViewed), (nameof(Similar), Similar),
                     (nameof(Category), Category), (nameof(Trending), Trending), (nameof(Popular), Popular), (nameof(Repeat), Repeat),
                     (nameof(ContextSeed), ContextSeed), (nameof(RecentViewSeed), RecentViewSeed), (nameof(ItemAffinitySeed), ItemAffinitySeed) })
        {
            if (!(value >= 0 && value <= 100)) errors.Add((key, $"must be between 0 and 100, got {value}"));
        }

        if (!(RecentViewDecay is > 0 and <= 1)) errors.Add((nameof(RecentViewDecay), "must be in (0, 1]"));
        if (MaxRecentViewSeeds is < 0 or > 50) errors.Add((nameof(MaxRecentViewSeeds), "must be between 0 and 50"));
        if (MaxSeeds is < 1 or > 100) errors.Add((nameof(MaxSeeds), "must be between 1 and 100"));
        if (NeighboursPerSeed is < 1 or > 200) errors.Add((nameof(NeighboursPerSeed), "must be between 1 and 200"));
        if (MaxPerCategory < 1) errors.Add((nameof(MaxPerCategory), "must be at least 1"));
        return errors;
    }
}
