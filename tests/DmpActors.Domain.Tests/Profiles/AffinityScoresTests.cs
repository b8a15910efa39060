using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;

namespace DmpActors.Domain.Tests.Profiles;

public class AffinityScoresTests
{
    private static readonly DateTimeOffset T0 = Events.T0;
    private static readonly ProfileRules Rules = ProfileRules.Default with { AffinityHalfLife = TimeSpan.FromDays(7), MaxAffinities = 3 };

    [Fact]
    public void Score_halves_every_half_life()
    {
        var a = AffinityScores.Empty.Add("shoes", 4, T0, Rules);

        Assert.Equal(4, a.ScoreOf("shoes", T0, Rules), 9);
        Assert.Equal(2, a.ScoreOf("shoes", T0.AddDays(7), Rules), 9);
        Assert.Equal(1, a.ScoreOf("shoes", T0.AddDays(14), Rules), 9);
    }

    [Fact]
    public void Signals_add_up_after_decay_to_the_same_time_in_any_order()
    {
        var inOrder = AffinityScores.Empty.Add("shoes", 1, T0, Rules).Add("shoes", 1, T0.AddDays(7), Rules);
        var reversed = AffinityScores.Empty.Add("shoes", 1, T0.AddDays(7), Rules).Add("shoes", 1, T0, Rules);

        Assert.Equal(1.5, inOrder.ScoreOf("shoes", T0.AddDays(7), Rules), 9);
        Assert.Equal(inOrder.ScoreOf("shoes", T0.AddDays(9), Rules), reversed.ScoreOf("shoes", T0.AddDays(9), Rules), 9);
    }

    [Fact]
    public void Only_the_strongest_keys_are_kept_and_a_weak_newcomer_does_not_enter()
    {
        var a = AffinityScores.Empty.Add("a", 5, T0, Rules).Add("b", 4, T0, Rules).Add("c", 3, T0, Rules)
            .Add("weak", 1, T0, Rules)
            .Add("strong", 10, T0, Rules);

        Assert.Equal(["strong", "a", "b"], a.Top(10, T0, Rules).Select(s => s.Key));
    }

    [Fact]
    public void Merge_adds_scores_per_key_and_is_commutative()
    {
        var a = AffinityScores.Empty.Add("shoes", 1, T0, Rules).Add("hats", 2, T0, Rules);
        var b = AffinityScores.Empty.Add("shoes", 1, T0.AddDays(7), Rules);

        var ab = a.Merge(b, Rules);
        var ba = b.Merge(a, Rules);

        Assert.Equal(1.5, ab.ScoreOf("shoes", T0.AddDays(7), Rules), 9);
        Assert.Equal(ab.Top(3, T0, Rules).Select(s => (s.Key, Math.Round(s.Score, 9))), ba.Top(3, T0, Rules).Select(s => (s.Key, Math.Round(s.Score, 9))));
    }

    [Fact]
    public void Reducer_weighs_purchases_over_carts_over_views()
    {
        var p = ProfileReducer.ApplyAll(UserProfile.Empty("u1"), [
            (Events.ProductView("e1", "sku-view"), null),
            (Events.Of(EventType.AddToCart, "e2") with { ItemId = "sku-cart", Quantity = 1 }, null),
            (Events.Purchase("e3", "o1", 5m), null),
        ]);

        Assert.Equal(["sku-o1", "sku-cart", "sku-view"], p.ItemAffinity.Top(3, T0, ProfileRules.Default).Select(s => s.Key));
        Assert.Equal(6, p.CategoryAffinity.ScoreOf("shoes", T0, ProfileRules.Default), 9);
    }
}
