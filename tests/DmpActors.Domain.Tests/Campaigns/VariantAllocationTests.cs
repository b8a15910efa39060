using DmpActors.Domain.Campaigns;
using static DmpActors.Domain.Tests.Campaigns.CampaignFixtures;

namespace DmpActors.Domain.Tests.Campaigns;

public sealed class VariantAllocationTests
{
    [Fact]
    public void Fixed_split_follows_the_weights()
    {
        var variants = new[] { new OfferVariant("a", 3, Payload("a")), new OfferVariant("b", 1, Payload("b")), new OfferVariant("off", 0, Payload("x")) };
        var picks = Enumerable.Range(0, 20_000).Select(i => VariantAllocation.Fixed(variants, "c1", $"u{i}").Id).ToList();
        Assert.InRange(picks.Count(p => p == "a") / 20_000.0, 0.73, 0.77);
        Assert.DoesNotContain("off", picks);
    }

    [Fact]
    public void Thompson_sampling_moves_traffic_to_the_better_variant_on_simulated_clicks()
    {
        // Given variants whose true CTRs are 2 %, 5 % and 10 %, and clicks simulated from them with a seeded RNG,
        var truth = new Dictionary<string, double> { ["a"] = 0.02, ["b"] = 0.05, ["c"] = 0.10 };
        var variants = truth.Keys.Select(k => new OfferVariant(k, 1, Payload(k))).ToList();
        var counts = truth.Keys.ToDictionary(k => k, _ => new VariantCounts(0, 0));
        var rng = new Random(42);
        var shown = truth.Keys.ToDictionary(k => k, _ => 0);

        // when 20,000 offers are allocated one by one, each updating its variant's counts,
        for (var i = 0; i < 20_000; i++)
        {
            var v = VariantAllocation.Thompson(variants, counts, rng).Id;
            var clicked = rng.NextDouble() < truth[v];
            counts[v] = new VariantCounts(counts[v].Trials + 1, counts[v].Successes + (clicked ? 1 : 0));
            if (i >= 15_000) shown[v]++;
        }

        // then the last 5,000 go mostly to the best variant, and the worst is still tried now and then.
        Assert.True(shown["c"] > 0.8 * 5_000, $"best variant got {shown["c"]} of the last 5000");
        Assert.True(counts["a"].Trials > 20, "the worst variant was explored");
    }

    [Fact]
    public void Thompson_sampling_with_a_seed_is_repeatable()
    {
        var variants = new[] { new OfferVariant("a", 1, Payload("a")), new OfferVariant("b", 1, Payload("b")) };
        var counts = new Dictionary<string, VariantCounts> { ["a"] = new(100, 5), ["b"] = new(100, 6) };
        string Run(int seed)
        {
            var rng = new Random(seed);
            return string.Concat(Enumerable.Range(0, 50).Select(_ => VariantAllocation.Thompson(variants, counts, rng).Id));
        }
        Assert.Equal(Run(7), Run(7));
    }

    [Fact]
    public void Beta_draws_have_the_expected_mean()
    {
        var rng = new Random(1);
        var mean = Enumerable.Range(0, 20_000).Average(_ => VariantAllocation.Beta(3, 7, rng));
        Assert.Equal(0.3, mean, 0.01);
    }
}
