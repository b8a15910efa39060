namespace DmpActors.Domain.Recommendations;

/// <summary>
/// The hybrid blend: seeds (the context item, recent views, item affinities) lead to candidates through co-bought
/// and co-viewed rules and content neighbours; trending and popular items join as candidates for everyone; each
/// items the user bought return as repeat candidates (by their item affinity); each
/// candidate's score is the weighted sum of its sources' contributions (<see cref="BlendWeights"/>), its reason the
/// source that gave most. Then the filters: not in the catalogue or unavailable, bought (when the request says so),
/// the context item itself, items shown too often without a click, and at most N per category (items without a category are not capped). A personalization denial skips every profile feature and
/// the context: popularity only. Pure over the statistics it is given; the caller holds their lock.
/// </summary>
public static class HybridRecommender
{
    private const int Sources = 7;

    public static Recommendation Recommend(RecommendationRequest request, ItemStatistics stats, BlendWeights? weights = null)
    {
        weights ??= BlendWeights.Default;
        var candidates = new Dictionary<string, Candidate>(StringComparer.Ordinal);

        if (!request.Personalization)
        {
            AddRanked(candidates, stats.Popularity.Popular(request.Now), ReasonKind.Popular, weights.Popular);
            return new Recommendation(Select(candidates, request, stats, weights), Personalized: false);
        }

        foreach (var (seed, seedWeight) in Seeds(request, weights))
        {
            foreach (var rule in stats.CoBought.RulesFrom(seed, weights.NeighboursPerSeed))
                Add(candidates, rule.Consequent, ReasonKind.CoBought, seed, weights.CoBought * seedWeight * rule.Confidence);
            foreach (var rule in stats.CoViewed.RulesFrom(seed, weights.NeighboursPerSeed))
                Add(candidates, rule.Consequent, ReasonKind.CoViewed, seed, weights.CoViewed * seedWeight * rule.Confidence);
            foreach (var near in Take(stats.Catalogue.Content.NeighboursOf(seed), weights.NeighboursPerSeed))
                Add(candidates, near.ItemId, ReasonKind.Similar, seed, weights.Similar * seedWeight * near.Score);
        }

        AddRanked(candidates, stats.Popularity.Trending(request.Now), ReasonKind.Trending, weights.Trending);
        AddRanked(candidates, stats.Popularity.Popular(request.Now), ReasonKind.Popular, weights.Popular);
        AddCategoryAffinity(candidates, request, stats, weights);
        AddRepeat(candidates, request, weights);
        var personal = request.ContextItem is not null || request.RecentlyViewed.Count > 0 || request.ItemAffinities.Count > 0
                       || request.CategoryAffinities.Count > 0;
        return new Recommendation(Select(candidates, request, stats, weights), personal);
    }

    /// <summary>Seed items and their weights; an item reached several ways keeps its largest weight.</summary>
    internal static IReadOnlyList<(string Item, double Weight)> Seeds(RecommendationRequest request, BlendWeights weights)
    {
        var seeds = new Dictionary<string, double>(StringComparer.Ordinal);
        void Seed(string item, double w)
        {
            if (w > 0 && w > seeds.GetValueOrDefault(item)) seeds[item] = w;
        }

        if (request.ContextItem is { } context) Seed(context, weights.ContextSeed);
        var decay = weights.RecentViewSeed;
        foreach (var item in request.RecentlyViewed.Take(weights.MaxRecentViewSeeds))
        {
            Seed(item, decay);
            decay *= weights.RecentViewDecay;
        }

        var strongest = request.ItemAffinities.Count > 0 ? request.ItemAffinities.Max(a => a.Score) : 0;
        foreach (var a in request.ItemAffinities)
        {
            if (strongest > 0) Seed(a.Key, weights.ItemAffinitySeed * a.Score / strongest);
        }

        // The strongest seeds only: each one costs three neighbour lists, and weak seeds rarely change the top items.
        return seeds.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(weights.MaxSeeds)
            .Select(kv => (kv.Key, kv.Value)).ToArray();
    }

    private static void AddCategoryAffinity(Dictionary<string, Candidate> candidates, RecommendationRequest request, ItemStatistics stats,
        BlendWeights weights)
    {
        if (request.CategoryAffinities.Count == 0 || weights.Category == 0) return;
        var strongest = request.CategoryAffinities.Max(a => a.Score);
        if (strongest <= 0) return;
        var byCategory = request.CategoryAffinities.ToDictionary(a => a.Key, a => a.Score / strongest, StringComparer.Ordinal);
        foreach (var (id, candidate) in candidates)
        {
            if (stats.Catalogue.Find(id)?.Category is { } category && byCategory.TryGetValue(category, out var affinity))
                candidate.Add(ReasonKind.Category, category, weights.Category * affinity);
        }
    }

    /// <summary>What the user bought before, again: each bought item among their item affinities (which add every order
    /// line and view with exponential recency decay, so frequency and recency both count), relative to the strongest.</summary>
    private static void AddRepeat(Dictionary<string, Candidate> candidates, RecommendationRequest request, BlendWeights weights)
    {
        if (request.ItemAffinities.Count == 0 || weights.Repeat == 0) return;
        var strongest = request.ItemAffinities.Max(a => a.Score);
        if (strongest <= 0) return;
        foreach (var a in request.ItemAffinities)
        {
            if (request.Bought.Contains(a.Key)) Add(candidates, a.Key, ReasonKind.Repeat, null, weights.Repeat * a.Score / strongest);
        }
    }

    private static void AddRanked(Dictionary<string, Candidate> candidates, IReadOnlyList<ItemScore> ranked, ReasonKind kind, double weight)
    {
        if (ranked.Count == 0 || weight == 0) return;
        var top = ranked[0].Score;
        foreach (var s in ranked) Add(candidates, s.ItemId, kind, null, weight * s.Score / top);
    }

    private static void Add(Dictionary<string, Candidate> candidates, string item, ReasonKind kind, string? anchor, double contribution)
    {
        if (contribution <= 0) return;
        if (!candidates.TryGetValue(item, out var c)) candidates[item] = c = new Candidate();
        c.Add(kind, anchor, contribution);
    }

    private static IEnumerable<ItemScore> Take(IReadOnlyList<ItemScore> list, int n) => list.Count <= n ? list : list.Take(n);

    private static List<RecommendedItem> Select(Dictionary<string, Candidate> candidates, RecommendationRequest request, ItemStatistics stats,
        BlendWeights weights)
    {
        var maxPerCategory = request.MaxPerCategory ?? weights.MaxPerCategory;
        var perCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        var chosen = new List<RecommendedItem>(request.Count);
        // Best first without sorting every candidate: heapify once, then take until the list is full.
        var queue = new PriorityQueue<string, (double, string)>(candidates.Count, ByScoreThenId);
        foreach (var (id, c) in candidates) queue.Enqueue(id, (c.Total, id));
        while (chosen.Count < request.Count && queue.TryDequeue(out var id, out _))
        {
            var c = candidates[id];
            if (stats.Catalogue.Find(id) is not { Available: true } item) continue;
            if (request.ExcludeBought && request.Bought.Contains(id)) continue;
            if (request.Fatigued.Contains(id)) continue;
            if (id == request.ContextItem) continue;
            if (item.Category is { } category)
            {
                // Items without a category share none: the diversity rule does not cap them together.
                var inCategory = perCategory.GetValueOrDefault(category);
                if (inCategory >= maxPerCategory) continue;
                perCategory[category] = inCategory + 1;
            }

            chosen.Add(new RecommendedItem(id, item.Category, c.Total, c.Reason));
        }

        return chosen;
    }

    private static readonly Comparer<(double Score, string Id)> ByScoreThenId = Comparer<(double Score, string Id)>.Create(static (a, b) =>
        b.Score.CompareTo(a.Score) is var c and not 0 ? c : string.CompareOrdinal(a.Id, b.Id));

    [System.Runtime.CompilerServices.InlineArray(Sources)]
    private struct PerSource<T>
    {
        private T _first;
    }

    /// <summary>One allocation per candidate (a request has hundreds: the trending and popular lists join every one).</summary>
    private sealed class Candidate
    {
        private PerSource<double> _bySource;
        private PerSource<double> _bestPiece;
        private PerSource<string?> _anchors;

        public double Total { get; private set; }

        public void Add(ReasonKind kind, string? anchor, double contribution)
        {
            var k = (int)kind;
            _bySource[k] += contribution;
            Total += contribution;
            if (contribution > _bestPiece[k])
            {
                _bestPiece[k] = contribution;
                _anchors[k] = anchor;
            }
        }

        public RecommendationReason Reason
        {
            get
            {
                var best = 0;
                for (var k = 1; k < Sources; k++)
                {
                    if (_bySource[k] > _bySource[best]) best = k;
                }

                return new RecommendationReason((ReasonKind)best, _anchors[best]);
            }
        }
    }
}
