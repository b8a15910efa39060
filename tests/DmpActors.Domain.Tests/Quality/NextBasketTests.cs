using DmpActors.Domain.Quality;

namespace DmpActors.Domain.Tests.Quality;

public sealed class NextBasketTests
{
    private static readonly DateTimeOffset Day = new(2011, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Order O(string customer, int day, params string[] items) => new(customer, Day.AddDays(day), items, 1);

    /// <summary>alice buys A thrice, B twice, C once; bob B once, D twice; carol E once; dave X then Y.</summary>
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<Order>> History = new Dictionary<string, IReadOnlyList<Order>>
    {
        ["alice"] = [O("alice", 1, "A", "B"), O("alice", 2, "A", "C"), O("alice", 3, "A", "B")],
        ["bob"] = [O("bob", 1, "B", "D"), O("bob", 2, "D")],
        ["carol"] = [O("carol", 1, "E")],
        ["dave"] = [O("dave", 1, "X"), O("dave", 2, "Y")],
    };

    private static readonly PurchaseCounts Counts = new(History);

    [Fact]
    public void Global_top_frequency_ranks_items_by_orders_holding_them_ties_by_id()
    {
        Assert.Equal(["A", "B", "D"], new GlobalTopFrequency(Counts).Recommend("anyone", 3));
    }

    [Fact]
    public void Personal_top_frequency_ranks_the_customers_own_items_and_breaks_ties_by_the_last_bought()
    {
        var model = new PersonalTopFrequency(Counts);
        Assert.Equal(["A", "B"], model.Recommend("alice", 2));
        Assert.Equal(["D", "B"], model.Recommend("bob", 5));
        Assert.Equal(["Y", "X"], model.Recommend("dave", 2));
        Assert.Empty(model.Recommend("stranger", 3));
    }

    [Fact]
    public void The_blend_fills_free_places_with_popular_items_the_customer_has_not_had()
    {
        var model = new PersonalThenGlobal(Counts);
        Assert.Equal(["E", "A", "B"], model.Recommend("carol", 3));
        Assert.Equal(["D", "B", "A"], model.Recommend("bob", 3));
    }

    [Fact]
    public void Item_knn_adds_an_item_bought_together_with_the_customers_items()
    {
        // sim(A,B) = 2/√(3·3), sim(B,D) = 1/√(3·2): D = 2 + 1·0.408, B = 1 + 2·0.408, A = 1·0.667
        var model = new ItemKnn(History, Counts);
        Assert.Equal(["D", "B", "A"], model.Recommend("bob", 5));
        Assert.Equal(["E"], model.Recommend("carol", 5));
    }

    [Fact]
    public void Tifu_vector_decays_orders_within_a_group_and_groups_across_the_history()
    {
        // m = 2: groups [o1] and [o2, o3]; user = ½(0.5 · o1) + ½(½(0.5 · o2 + o3)) = 0.25 o1 + 0.125 o2 + 0.25 o3
        var model = new TifuKnn(History, Counts, new TifuKnn.Parameters(GroupSize: 2, WithinGroupDecay: 0.5, AcrossGroupDecay: 0.5, Alpha: 1));
        var vector = model.Vector(History["alice"], Counts.Rank);

        Assert.Equal(0.625, vector[Counts.Rank["A"]], 12);
        Assert.Equal(0.5, vector[Counts.Rank["B"]], 12);
        Assert.Equal(0.125, vector[Counts.Rank["C"]], 12);
        Assert.Equal(["A", "B", "C"], model.Recommend("alice", 3));
    }

    [Fact]
    public void Tifu_blends_in_the_nearest_customers_items()
    {
        var history = new Dictionary<string, IReadOnlyList<Order>>
        {
            ["u1"] = [O("u1", 1, "A")],
            ["u2"] = [O("u2", 1, "A", "G")], // distance² to u1: 1 + 2 − 2 = 1
            ["u3"] = [O("u3", 1, "H", "I", "J")], // distance² to u1: 1 + 3 = 4
        };
        var model = new TifuKnn(history, new PurchaseCounts(history), new TifuKnn.Parameters(NeighbourCount: 1, Alpha: 0.5));

        Assert.Equal(["A", "G"], model.Recommend("u1", 5));
        Assert.Empty(model.Recommend("stranger", 5));
    }
}
