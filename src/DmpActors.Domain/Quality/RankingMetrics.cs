namespace DmpActors.Domain.Quality;

/// <summary>How one customer's top-K list scored against the items they bought in the holdout. Repeat and new recall
/// are null when the customer bought no item of that kind (an item is a repeat when it is in their history).</summary>
public sealed record BasketScore(double Recall, double Ndcg, double Hit, double? RepeatRecall, double? NewRecall);

/// <summary>Next-basket ranking measures with binary relevance: an item is relevant when the customer bought it in the
/// holdout. Each is a per-customer value; a model's figure is their mean over customers who bought in the holdout.</summary>
public static class RankingMetrics
{
    /// <summary>Recall@K: the share of the bought items found in the first K recommended.</summary>
    public static double Recall(IReadOnlyList<string> ranked, IReadOnlySet<string> bought, int k) =>
        bought.Count == 0 ? 0 : ranked.Take(k).Count(bought.Contains) / (double)bought.Count;

    /// <summary>NDCG@K: DCG of the list (1 / log2(rank + 1) per relevant item) over the best DCG possible with
    /// min(K, bought) relevant items.</summary>
    public static double Ndcg(IReadOnlyList<string> ranked, IReadOnlySet<string> bought, int k)
    {
        if (bought.Count == 0) return 0;
        var dcg = ranked.Take(k).Select((item, i) => bought.Contains(item) ? 1 / Math.Log2(i + 2) : 0).Sum();
        var ideal = Enumerable.Range(0, Math.Min(k, bought.Count)).Sum(i => 1 / Math.Log2(i + 2));
        return dcg / ideal;
    }

    /// <summary>HR@K: 1 when at least one of the first K is bought, else 0.</summary>
    public static double Hit(IReadOnlyList<string> ranked, IReadOnlySet<string> bought, int k) => ranked.Take(k).Any(bought.Contains) ? 1 : 0;

    /// <summary>All measures of one customer, with recall apart for the items they had bought before and the new ones.</summary>
    public static BasketScore Score(IReadOnlyList<string> ranked, IReadOnlySet<string> bought, IReadOnlySet<string> boughtBefore, int k)
    {
        var repeat = bought.Where(boughtBefore.Contains).ToHashSet(StringComparer.Ordinal);
        var fresh = bought.Where(i => !boughtBefore.Contains(i)).ToHashSet(StringComparer.Ordinal);
        return new BasketScore(Recall(ranked, bought, k), Ndcg(ranked, bought, k), Hit(ranked, bought, k),
            repeat.Count == 0 ? null : Recall(ranked, repeat, k), fresh.Count == 0 ? null : Recall(ranked, fresh, k));
    }

    /// <summary>Coverage: the share of the catalogue (items sold in the history) that appears in at least one top-K list.</summary>
    public static double Coverage(IEnumerable<IReadOnlyList<string>> lists, int k, int catalogueSize) =>
        catalogueSize == 0 ? 0 : lists.SelectMany(l => l.Take(k)).Distinct(StringComparer.Ordinal).Count() / (double)catalogueSize;
}
