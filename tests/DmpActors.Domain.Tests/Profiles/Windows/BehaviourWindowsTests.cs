using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;
using static DmpActors.Domain.Tests.Profiles.Windows.WindowReference;

namespace DmpActors.Domain.Tests.Profiles.Windows;

public class BehaviourWindowsTests
{
    private static UserEvent View(string id, DateTimeOffset at, string item = "sku-1", string category = "shoes") =>
        Make(1, id, at, 0) with { ItemId = item, Category = category };

    private static UserEvent Page(string id, DateTimeOffset at) => Make(0, id, at, 0);

    private static WindowValues Last(BehaviourWindows w, string name, DateTimeOffset now) =>
        w.ValuesFor(WindowSpans.Standard.Single(s => s.Name == name).Span, now);

    [Fact]
    public void Event_within_the_allowed_lateness_lands_in_the_bucket_of_its_own_time()
    {
        var w = Record([Page("e1", T0.AddHours(2)), Page("e2", T0.AddHours(2).AddMinutes(-50))]);

        Assert.Equal(2, Last(w, "1h", T0.AddHours(2)).CountOf(EventType.PageView));
        Assert.Equal(1, Last(w, "1h", T0.AddHours(2).AddMinutes(40)).CountOf(EventType.PageView));
    }

    [Fact]
    public void Event_older_than_the_allowed_lateness_is_reported_too_late_and_left_out_of_the_windows()
    {
        var w = Record([Page("e1", T0.AddHours(3))]);

        var (after, tooLate) = w.Record(Page("e2", T0.AddHours(1)), Rules, recording: true);

        Assert.True(tooLate);
        Assert.Equal(1, after.TooLateEvents);
        Assert.Equal(1, Last(after, "24h", T0.AddHours(3)).CountOf(EventType.PageView));
    }

    [Fact]
    public void Too_late_events_still_count_in_the_lifetime_counters_of_the_profile()
    {
        var p = ProfileReducer.Apply(UserProfile.Empty("u1"), Page("e1", T0.AddHours(3)), null).Profile;

        var result = ProfileReducer.Apply(p, Page("e2", T0), null);

        Assert.True(result.TooLate);
        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        Assert.Equal(2, result.Profile.CountOf(EventType.PageView));
        Assert.Equal(1, Last(result.Profile.Windows, "30d", T0.AddHours(3)).CountOf(EventType.PageView));
    }

    [Fact]
    public void Configured_lateness_decides_what_is_too_late()
    {
        var strict = Rules with { AllowedLateness = TimeSpan.FromMinutes(5) };
        var w = BehaviourWindows.Empty.Record(Page("e1", T0.AddMinutes(10)), strict, true).Windows;

        Assert.False(w.Record(Page("e2", T0.AddMinutes(5)), strict, true).TooLate);
        Assert.True(w.Record(Page("e3", T0.AddMinutes(4)), strict, true).TooLate);
    }

    [Fact]
    public void Events_more_than_the_session_gap_apart_start_a_new_session()
    {
        var w = Record([Page("e1", T0), Page("e2", T0.AddMinutes(30)), Page("e3", T0.AddMinutes(61)), Page("e4", T0.AddMinutes(70))]);

        Assert.Equal(2, Last(w, "24h", T0.AddMinutes(70)).Sessions);
        Assert.Equal(2, w.LifetimeSessions);
    }

    [Fact]
    public void Late_event_that_bridges_two_sessions_joins_them_into_one()
    {
        var w = Record([Page("e1", T0), Page("e2", T0.AddMinutes(50))]);
        Assert.Equal(2, Last(w, "1h", T0.AddMinutes(50)).Sessions);

        w = Record([Page("e3", T0.AddMinutes(25))], w);

        Assert.Equal(1, Last(w, "1h", T0.AddMinutes(50)).Sessions);
        Assert.Equal(1, w.LifetimeSessions);
    }

    [Fact]
    public void Late_event_just_before_a_session_moves_its_start_to_the_earlier_bucket()
    {
        var w = Record([Page("e1", T0.AddMinutes(61)), Page("e2", T0.AddMinutes(40))]);

        Assert.Equal(1, Last(w, "1h", T0.AddMinutes(61)).Sessions);
        Assert.Equal(0, w.ValuesFor(TimeSpan.FromMinutes(20), T0.AddMinutes(61)).Sessions);
    }

    [Fact]
    public void Buckets_roll_from_minutes_to_hours_to_days_as_event_time_moves_on()
    {
        var w = Record([View("e1", T0.AddMinutes(10)), Page("e2", T0.AddDays(3))]);

        Assert.Equal(0, Last(w, "24h", T0.AddDays(3)).ProductViews);
        Assert.Equal(1, Last(w, "7d", T0.AddDays(3)).ProductViews);
        Assert.Equal(0, Last(w, "7d", T0.AddDays(8)).ProductViews);
        Assert.Equal(1, Last(w, "30d", T0.AddDays(8)).ProductViews);
        Assert.Equal(0, Last(Record([Page("e3", T0.AddDays(40))], w), "30d", T0.AddDays(40)).ProductViews);
    }

    [Fact]
    public void Windows_count_revenue_purchases_carts_searches_and_offers_per_campaign()
    {
        var w = Record([
            Make(2, "p", T0, 9), Make(3, "s", T0, 0), Make(4, "c", T0, 1),
            Make(5, "i1", T0, 0), Make(5, "i2", T0, 1), Make(6, "k", T0, 0),
        ]);

        var v = Last(w, "1h", T0);
        Assert.Equal((1, 1, 1, 9.25m), (v.Purchases, v.Searches, v.AddToCart, v.Revenue));
        Assert.Equal(new Dictionary<string, long> { ["camp-0"] = 1, ["camp-1"] = 1 }, v.OfferImpressions);
        Assert.Equal(new Dictionary<string, long> { ["camp-0"] = 1 }, v.OfferClicks);
    }

    [Fact]
    public void Product_views_beyond_31_categories_are_counted_under_other()
    {
        var w = Record(Enumerable.Range(0, 40).Select(i => View($"e{i}", T0, category: $"c{i}")));

        var v = Last(w, "1h", T0);
        Assert.Equal(32, v.ProductViewsByCategory.Count);
        Assert.Equal(9, v.ProductViewsByCategory[BehaviourWindows.OtherKey]);
        Assert.Equal(40, v.ProductViewsByCategory.Values.Sum());
    }

    [Fact]
    public void Distinct_items_are_exact_up_to_the_bound_and_estimated_beyond_it()
    {
        var exact = Record(Enumerable.Range(0, 64).Select(i => View($"e{i}", T0.AddSeconds(i), item: $"sku-{i % 50}")));
        var v = Last(exact, "1h", T0.AddMinutes(2));
        Assert.Equal((50L, true), (v.DistinctItemsViewed, v.DistinctItemsExact));

        var many = Record(Enumerable.Range(0, 1000).Select(i => View($"e{i}", T0.AddSeconds(i * 3), item: $"sku-{i}")));
        var estimate = Last(many, "24h", T0.AddHours(1));
        Assert.False(estimate.DistinctItemsExact);
        Assert.InRange(estimate.DistinctItemsViewed, 500, 1500);
        Assert.Equal(64, many.Items.ExactCount);
    }

    [Fact]
    public void Windows_not_recording_still_move_the_watermark_but_count_nothing()
    {
        var w = BehaviourWindows.Empty.Record(Page("e1", T0), Rules, recording: false).Windows;

        Assert.Equal(T0, w.Watermark);
        Assert.Equal(0, w.WordCount);
        Assert.Empty(Last(w, "30d", T0).EventsByType);
    }
}
