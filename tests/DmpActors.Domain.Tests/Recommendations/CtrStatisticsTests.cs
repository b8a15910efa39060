using DmpActors.Domain.Events;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

public sealed class CtrStatisticsTests
{
    private static readonly DateTimeOffset T0 = Shop.T0;
    private const string Node = "node-a";

    private static Impression Served(string id, string user, int minute, string? slot, params string[] items) =>
        new(id, user, slot, T0.AddMinutes(minute), Node, items.Select((item, k) => new ImpressedItem(item, k, [k, 0.5f])).ToArray());

    private static UserEvent Click(string rec, string user, string item, double minute, EventType type = EventType.ProductView) => new()
    {
        EventId = $"c-{rec}-{item}-{minute}", Type = type, UserId = user, Timestamp = T0.AddMinutes(minute), ItemId = item,
        RecommendationId = rec,
    };

    [Fact]
    public void Item_and_slot_ctr_equal_a_hand_count()
    {
        var ctr = new CtrStatistics();
        var rows = new List<CtrRow>();
        // 4 lists on "home": a in all four, b in three, c in one; clicks: a twice, b once, c none; one list on "cart".
        ctr.OnImpression(Served("r1", "u1", 0, "home", "a", "b"), rows);
        ctr.OnImpression(Served("r2", "u2", 1, "home", "a", "b", "c"), rows);
        ctr.OnImpression(Served("r3", "u3", 2, "home", "a"), rows);
        ctr.OnImpression(Served("r4", "u4", 3, "home", "a", "b"), rows);
        ctr.OnImpression(Served("r5", "u5", 3, "cart", "b"), rows);
        ctr.Apply(Click("r1", "u1", "a", 1), rows);
        ctr.Apply(Click("r2", "u2", "b", 2), rows);
        ctr.Apply(Click("r3", "u3", "a", 5, EventType.OfferClick), rows);
        ctr.Apply(Click("r3", "u3", "a", 6), rows); // the same item of the same list again: counted once
        ctr.Apply(Click("r4", "u4", "c", 4), rows); // not in that list
        ctr.Apply(Click("r5", "someone-else", "b", 4), rows); // not that list's user

        var now = T0.AddMinutes(10);
        Assert.Equal(new CtrEstimate(4, 2), ctr.ItemCtr("a", CtrWindow.Hour, now));
        Assert.Equal(new CtrEstimate(4, 1), ctr.ItemCtr("b", CtrWindow.Hour, now));
        Assert.Equal(new CtrEstimate(1, 0), ctr.ItemCtr("c", CtrWindow.Day, now));
        Assert.Equal(new CtrEstimate(8, 3), ctr.SlotCtr("home", CtrWindow.Week, now));
        Assert.Equal(new CtrEstimate(1, 0), ctr.SlotCtr("cart", CtrWindow.Month, now));
        Assert.Equal(3, ctr.UnmatchedClicks);
        Assert.Equal(0.5, ctr.ItemCtr("a", CtrWindow.Hour, now).Rate);
    }

    [Fact]
    public void Windows_count_whole_buckets_back_from_now()
    {
        var counter = new CtrCounter();
        counter.Add(T0, 10, 1);
        counter.Add(T0.AddHours(2), 10, 2);
        counter.Add(T0.AddDays(3), 10, 3);
        var now = T0.AddDays(3).AddMinutes(30);
        Assert.Equal(new CtrEstimate(10, 3), counter.In(CtrWindow.Hour, now));
        Assert.Equal(new CtrEstimate(10, 3), counter.In(CtrWindow.Day, now));
        Assert.Equal(new CtrEstimate(30, 6), counter.In(CtrWindow.Week, now));
        Assert.Equal(new CtrEstimate(10, 3), counter.In(CtrWindow.Week, now.AddDays(4))); // day 0 has left the week
        Assert.Equal(new CtrEstimate(30, 6), counter.In(CtrWindow.Month, now.AddDays(4)));
        Assert.Equal(new CtrEstimate(0, 0), counter.In(CtrWindow.Month, now.AddDays(40)));
    }

    [Fact]
    public void Wilson_interval_matches_worked_values()
    {
        // 10 clicks of 100: Wilson 95 % is [0.0552, 0.1744]; no clicks of 10: [0, 0.2775].
        var (low, high) = new CtrEstimate(100, 10).Wilson;
        Assert.Equal(0.0552, low, 3);
        Assert.Equal(0.1744, high, 3);
        (low, high) = new CtrEstimate(10, 0).Wilson;
        Assert.Equal(0, low, 6);
        Assert.Equal(0.2775, high, 3);
        Assert.Equal((0.0, 1.0), new CtrEstimate(0, 0).Wilson);
    }

    [Fact]
    public void Rows_are_labelled_by_a_click_within_30_minutes_and_only_for_this_nodes_lists()
    {
        var ctr = new CtrStatistics(CtrOptions.Default, Node);
        var rows = new List<CtrRow>();
        ctr.OnImpression(Served("r1", "u1", 0, "home", "a", "b", "c"), rows);
        ctr.OnImpression(Served("r2", "u2", 0, "home", "a") with { Node = "node-b" }, rows);
        ctr.Apply(Click("r1", "u1", "a", 29.9), rows); // inside the window
        ctr.Apply(Click("r1", "u1", "b", 30.5), rows); // after it: no label, no CTR
        ctr.Apply(Click("r2", "u2", "a", 1), rows); // another node's list: CTR counts, no row here
        Assert.Single(rows);
        Assert.True(rows[0].Clicked);
        Assert.Equal("a", rows[0].ItemId);

        ctr.Advance(T0.AddMinutes(20), rows); // the window is still open: nothing decided
        Assert.Single(rows);
        ctr.Advance(T0.AddMinutes(32), rows);
        Assert.Equal(["a:True", "b:False", "c:False"], rows.Select(r => $"{r.ItemId}:{r.Clicked}").Order());
        Assert.Equal(0, ctr.OpenLists);
        Assert.Equal(new CtrEstimate(2, 2), ctr.ItemCtr("a", CtrWindow.Hour, T0.AddMinutes(32)));
        Assert.Equal(new CtrEstimate(1, 0), ctr.ItemCtr("b", CtrWindow.Hour, T0.AddMinutes(32)));
    }

    [Fact]
    public void Features_are_those_of_serving_time_whatever_follows()
    {
        // Two futures of the same served list: the rows differ in their label only.
        IReadOnlyList<CtrRow> Future(bool click)
        {
            var ctr = new CtrStatistics(CtrOptions.Default, Node);
            var rows = new List<CtrRow>();
            ctr.OnImpression(Served("r1", "u1", 0, null, "a"), rows);
            if (click) ctr.Apply(Click("r1", "u1", "a", 10), rows);
            ctr.OnImpression(Served("r9", "u1", 5, null, "a"), rows); // later lists change the counters, not old rows
            ctr.Advance(T0.AddHours(1), rows);
            return rows.Where(r => r.RecommendationId == "r1").ToArray();
        }

        var clicked = Assert.Single(Future(true));
        var ignored = Assert.Single(Future(false));
        Assert.Equal(clicked.Features, ignored.Features);
        Assert.Equal((true, false), (clicked.Clicked, ignored.Clicked));
        Assert.Equal("default", clicked.Slot);
    }

    [Fact]
    public void A_click_read_before_its_list_waits_for_it()
    {
        var ctr = new CtrStatistics(CtrOptions.Default, Node);
        var rows = new List<CtrRow>();
        ctr.Apply(Click("r1", "u1", "a", 2), rows);
        ctr.OnImpression(Served("r1", "u1", 0, null, "a", "b"), rows);
        Assert.Equal(new CtrEstimate(1, 1), ctr.ItemCtr("a", CtrWindow.Hour, T0.AddMinutes(5)));
        Assert.True(Assert.Single(rows).Clicked);

        ctr.Apply(Click("never-served", "u1", "a", 3), rows);
        ctr.Advance(T0.AddHours(1), rows);
        Assert.Equal(1, ctr.UnmatchedClicks);
    }

    [Fact]
    public void Items_shown_too_often_without_a_click_are_fatigued_until_clicked()
    {
        var ctr = new CtrStatistics(CtrOptions.Default with { FatigueImpressions = 3 });
        var rows = new List<CtrRow>();
        for (var i = 0; i < 3; i++) ctr.OnImpression(Served($"r{i}", "u1", i, null, "a", "b"), rows);
        ctr.Apply(Click("r2", "u1", "b", 3), rows);
        Assert.Equal(["a"], ctr.Fatigued("u1"));
        Assert.Empty(ctr.Fatigued("u2"));

        var stats = Shop.Stats(Shop.Item("a", "x"), Shop.Item("b", "y"), Shop.Item("c", "z"));
        foreach (var item in new[] { "a", "b", "c" }) stats.Apply(Shop.View("other", item));
        var request = new RecommendationRequest { Now = T0, Fatigued = ctr.Fatigued("u1") };
        Assert.Equal(["b", "c"], HybridRecommender.Recommend(request, stats).Items.Select(i => i.ItemId).Order());
    }

    [Fact]
    public void Impressions_round_trip_through_their_record_format()
    {
        var impression = Served("r1", "u1", 0, "home", "a", "b");
        var back = ImpressionCodec.TryDecode(ImpressionCodec.Encode(impression))!;
        Assert.Equal(impression.RecommendationId, back.RecommendationId);
        Assert.Equal(impression.At, back.At);
        Assert.Equal(impression.Items.Select(i => (i.ItemId, i.Position)), back.Items.Select(i => (i.ItemId, i.Position)));
        Assert.Equal(impression.Items[1].Features, back.Items[1].Features);
        Assert.Null(ImpressionCodec.TryDecode("{\"user_id\":\"u\"}"u8));
        Assert.Null(ImpressionCodec.TryDecode("not json"u8));
    }
}
