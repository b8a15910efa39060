using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

public class CoOccurrenceTests
{
    // The textbook market baskets, worked by hand: N = 5; n(bread) = n(milk) = n(diapers) = 4, n(beer) = 3, n(cola) = 2,
    // n(eggs) = 1; n(diapers ∧ beer) = 3, n(bread ∧ milk) = 3, n(milk ∧ cola) = 2, n(beer ∧ eggs) = 1.
    private static readonly string[][] Baskets =
    [
        ["bread", "milk"],
        ["bread", "diapers", "beer", "eggs"],
        ["milk", "diapers", "beer", "cola"],
        ["bread", "milk", "diapers", "beer"],
        ["bread", "milk", "diapers", "cola"],
    ];

    private static CoOccurrence Counted()
    {
        var c = new CoOccurrence();
        foreach (var basket in Baskets) c.AddTransaction(basket);
        return c;
    }

    [Fact]
    public void Counts_transactions_items_and_pairs_of_the_hand_worked_baskets()
    {
        var c = Counted();

        Assert.Equal(5, c.Transactions);
        Assert.Equal(4, c.CountOf("diapers"));
        Assert.Equal(3, c.CountOf("beer"));
        Assert.Equal(1, c.CountOf("eggs"));
        Assert.Equal(3, c.Together("diapers", "beer"));
        Assert.Equal(3, c.Together("beer", "diapers"));
        Assert.Equal(3, c.Together("bread", "milk"));
        Assert.Equal(0, c.Together("eggs", "cola"));
    }

    [Fact]
    public void Diapers_to_beer_has_support_0_6_confidence_0_75_and_lift_1_25()
    {
        var rule = Counted().Rule("diapers", "beer")!.Value;

        Assert.Equal(0.6, rule.Support, 12);
        Assert.Equal(0.75, rule.Confidence, 12);
        Assert.Equal(1.25, rule.Lift, 12); // 0.75 / (3/5)
    }

    [Fact]
    public void Beer_to_diapers_is_certain_and_milk_to_bread_is_below_independence()
    {
        var c = Counted();

        var beer = c.Rule("beer", "diapers")!.Value;
        Assert.Equal(1.0, beer.Confidence, 12);
        Assert.Equal(1.25, beer.Lift, 12); // 1 / (4/5)

        var milk = c.Rule("milk", "bread")!.Value;
        Assert.Equal(0.6, milk.Support, 12);
        Assert.Equal(0.75, milk.Confidence, 12);
        Assert.Equal(0.9375, milk.Lift, 12); // 0.75 / (4/5): bought together less often than chance

        var eggs = c.Rule("eggs", "beer")!.Value;
        Assert.Equal(0.2, eggs.Support, 12);
        Assert.Equal(1.0, eggs.Confidence, 12);
        Assert.Equal(5.0 / 3, eggs.Lift, 12);
    }

    [Fact]
    public void Rules_from_an_item_come_by_confidence_then_lift()
    {
        var rules = Counted().RulesFrom("beer", 10);

        // beer (3): diapers 3/3, bread 2/3, milk 2/3, eggs 1/3, cola 1/3; lifts: bread and milk 0.833 (tie: by id),
        // eggs 1.667, cola 0.833.
        Assert.Equal(["diapers", "bread", "milk", "eggs", "cola"], rules.Select(r => r.Consequent));
        Assert.Equal(2.0 / 3, rules[1].Confidence, 12);
        Assert.Equal(2.0 / 3 / 0.8, rules[1].Lift, 12);
        Assert.Equal(["diapers", "bread"], Counted().RulesFrom("beer", 2).Select(r => r.Consequent));
        Assert.Equal(["diapers", "bread", "milk"], Counted().RulesFrom("beer", 10, minTogether: 2).Select(r => r.Consequent));
    }

    [Fact]
    public void A_session_counted_item_by_item_equals_the_same_basket_counted_at_once()
    {
        var whole = Counted();
        var incremental = new CoOccurrence();
        foreach (var basket in Baskets)
        {
            incremental.StartTransaction();
            var earlier = new List<string>();
            foreach (var item in basket)
            {
                incremental.AddToTransaction(item, earlier);
                earlier.Add(item);
            }
        }

        foreach (var a in Baskets.SelectMany(b => b).Distinct())
        {
            Assert.Equal(whole.CountOf(a), incremental.CountOf(a));
            foreach (var b in Baskets.SelectMany(x => x).Distinct()) Assert.Equal(whole.Rule(a, b), incremental.Rule(a, b));
        }
    }

    [Fact]
    public void An_item_repeated_in_a_basket_counts_once()
    {
        var c = new CoOccurrence();
        c.AddTransaction(["a", "a", "b"]);

        Assert.Equal(1, c.CountOf("a"));
        Assert.Equal(1, c.Together("a", "b"));
        Assert.Equal(0, c.Together("a", "a"));
    }

    [Fact]
    public void An_unseen_item_has_no_rules()
    {
        Assert.Null(Counted().Rule("caviar", "beer"));
        Assert.Empty(Counted().RulesFrom("caviar", 10));
    }

    [Fact]
    public void Neighbours_per_item_stay_within_the_bound_and_a_frequent_pair_survives()
    {
        var c = new CoOccurrence(new CoOccurrenceBounds(MaxItems: 1_000, MaxNeighbours: 4));
        for (var i = 0; i < 20; i++) c.AddTransaction(["hub", "partner"]);
        for (var i = 0; i < 50; i++) c.AddTransaction(["hub", $"rare-{i}"]);

        // Space-Saving keeps every neighbour seen more than (pair additions) / MaxNeighbours = 70 / 4 times, never
        // below its true count; newcomers may be overestimated by at most that much.
        var rules = c.RulesFrom("hub", 100);
        Assert.Equal(4, rules.Count);
        Assert.Equal("partner", rules[0].Consequent);
        Assert.True(rules[0].Together >= 20);
        Assert.All(rules.Skip(1), r => Assert.True(r.Together <= 1 + 70 / 4));
    }

    [Fact]
    public void Items_stay_within_the_bound_and_the_least_seen_leave_first()
    {
        var c = new CoOccurrence(new CoOccurrenceBounds(MaxItems: 20, MaxNeighbours: 8));
        for (var i = 0; i < 5; i++) c.AddTransaction(["best", "second"]);
        for (var i = 0; i < 100; i++) c.AddTransaction([$"once-{i}", "second"]);

        Assert.True(c.ItemCount <= 20);
        Assert.Equal(5, c.CountOf("best"));
        Assert.Equal(5, c.Together("best", "second"));
        Assert.All(c.RulesFrom("second", 100), r => Assert.True(c.CountOf(r.Consequent) > 0));
    }
}
