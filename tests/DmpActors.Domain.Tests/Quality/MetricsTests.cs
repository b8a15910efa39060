using DmpActors.Domain.Quality;

namespace DmpActors.Domain.Tests.Quality;

public sealed class MetricsTests
{
    private static readonly string[] Ranked = ["a", "b", "c", "d"];
    private static readonly HashSet<string> Bought = ["b", "d", "x"];

    [Fact]
    public void Recall_counts_the_bought_items_found_in_the_first_k()
    {
        Assert.Equal(1 / 3.0, RankingMetrics.Recall(Ranked, Bought, 3), 12);
        Assert.Equal(2 / 3.0, RankingMetrics.Recall(Ranked, Bought, 4), 12);
    }

    [Fact]
    public void Ndcg_discounts_a_hit_at_rank_two_against_the_ideal_of_three_hits()
    {
        // DCG = 1/log2(3) = 0.63093; ideal = 1 + 0.63093 + 0.5 = 2.13093
        Assert.Equal(0.63093 / 2.13093, RankingMetrics.Ndcg(Ranked, Bought, 3), 4);
        Assert.Equal(1.0, RankingMetrics.Ndcg(["b", "d", "x"], Bought, 3), 12);
    }

    [Fact]
    public void Hit_rate_is_one_when_any_of_the_first_k_is_bought()
    {
        Assert.Equal(0, RankingMetrics.Hit(Ranked, Bought, 1));
        Assert.Equal(1, RankingMetrics.Hit(Ranked, Bought, 2));
    }

    [Fact]
    public void Repeat_and_new_item_recall_are_reported_apart_and_absent_when_the_customer_has_no_such_item()
    {
        var score = RankingMetrics.Score(Ranked, Bought, new HashSet<string> { "b", "x" }, 3);
        Assert.Equal(0.5, score.RepeatRecall);
        Assert.Equal(0.0, score.NewRecall);

        var onlyNew = RankingMetrics.Score(Ranked, Bought, new HashSet<string>(), 3);
        Assert.Null(onlyNew.RepeatRecall);
        Assert.Equal(1 / 3.0, onlyNew.NewRecall!.Value, 12);
    }

    [Fact]
    public void Coverage_is_the_share_of_the_catalogue_in_some_top_k_list()
    {
        Assert.Equal(3 / 10.0, RankingMetrics.Coverage([["a", "b", "z"], ["b", "c"]], 2, 10), 12);
    }

    [Fact]
    public void Spearman_of_one_swapped_pair_of_four_is_0_8()
    {
        Assert.Equal(0.8, ScoreMetrics.Spearman([1, 2, 3, 4], [10, 20, 40, 30]), 12);
    }

    [Fact]
    public void Spearman_gives_ties_their_average_rank()
    {
        // ranks [1.5, 1.5, 3] against [1, 2, 3]: 1.5 / sqrt(1.5 * 2)
        Assert.Equal(1.5 / Math.Sqrt(3), ScoreMetrics.Spearman([1, 1, 2], [1, 2, 3]), 12);
    }

    [Fact]
    public void Normalised_gini_is_one_for_the_right_order_minus_one_for_the_reverse_and_zero_when_all_tie()
    {
        double[] actual = [0, 0, 10, 30];
        Assert.Equal(1.0, ScoreMetrics.NormalisedGini([1, 2, 3, 4], actual), 12);
        Assert.Equal(-1.0, ScoreMetrics.NormalisedGini([4, 3, 2, 1], actual), 12);
        Assert.Equal(0.0, ScoreMetrics.NormalisedGini([5, 5, 5, 5], actual), 12);
    }

    [Fact]
    public void Normalised_gini_of_a_partly_right_order()
    {
        // By prediction: 30, 0, 10, 0 → cumulative shares .75 .75 1 1 → 3.5/4 − 5/8 = 0.25; best 3.75/4 − 5/8 = 0.3125
        Assert.Equal(0.25 / 0.3125, ScoreMetrics.NormalisedGini([0, 2, 1, 3], [0, 0, 10, 30]), 12);
    }

    [Fact]
    public void Mae_is_the_mean_absolute_difference()
    {
        Assert.Equal(2.0, ScoreMetrics.Mae([1, 5, 3], [2, 2, 5]), 12);
    }

    [Fact]
    public void Auc_counts_positive_over_negative_pairs_and_a_tie_as_half()
    {
        // Positives 0.9 and 0.7 against negatives 0.8, 0.6, 0.5: 3 + 2 of 6 pairs
        Assert.Equal(5 / 6.0, ScoreMetrics.RocAuc([0.9, 0.8, 0.7, 0.6, 0.5], [true, false, true, false, false]), 12);
        Assert.Equal(0.5, ScoreMetrics.RocAuc([1, 1], [true, false]), 12);
        Assert.Equal(0.0, ScoreMetrics.RocAuc([0, 1], [true, false]), 12);
    }

    [Fact]
    public void Bootstrap_interval_of_a_mean_is_about_two_standard_errors_wide_and_seeded()
    {
        var units = Enumerable.Range(0, 100).Select(i => (double)i).ToList();
        var first = Bootstrap.Interval(units, s => s.Average(), 2000, seed: 7);
        var again = Bootstrap.Interval(units, s => s.Average(), 2000, seed: 7);

        Assert.Equal(first, again);
        Assert.Equal(49.5, first.Value, 12);
        // standard error 28.87 / 10 = 2.89: the 95 % interval is about 49.5 ± 5.7
        Assert.InRange(first.Low, 42.5, 46.0);
        Assert.InRange(first.High, 53.0, 56.5);
    }

    [Fact]
    public void Bootstrap_of_identical_units_has_no_width_and_percentiles_interpolate()
    {
        var flat = Bootstrap.Interval([3.0, 3.0, 3.0], s => s.Average(), 50);
        Assert.Equal(new Estimate(3, 3, 3), flat);
        Assert.Equal(1.1, Bootstrap.Percentile([1, 2, 3, 4, 5], 0.025), 12);
        Assert.Equal(3.0, Bootstrap.Percentile([1, 2, 3, 4, 5], 0.5), 12);
    }
}
