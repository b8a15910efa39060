using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Profiles;

public class ProfileReducerTests
{
    private static UserProfile Apply(UserProfile p, UserEvent e, EventPosition? position = null)
    {
        var result = ProfileReducer.Apply(p, e, position);
        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        return result.Profile;
    }

    private static UserProfile Fresh => UserProfile.Empty("u1");

    [Fact]
    public void Empty_profile_has_nothing()
    {
        var p = Fresh;
        Assert.Equal("u1", p.Id);
        Assert.All(EventTypes.All, t => Assert.Equal(0, p.CountOf(t)));
        Assert.Null(p.FirstSeen);
        Assert.Null(p.LastSeen);
        Assert.Empty(p.RecentlyViewedItems);
        Assert.Empty(p.Traits);
        Assert.Null(p.Consent);
        Assert.Empty(p.KnownIds);
        Assert.Equal(0, p.EventsApplied);
    }

    [Fact]
    public void Page_view_counts_and_sets_first_and_last_seen()
    {
        var p = Apply(Fresh, PageView("e1", minute: 5));
        Assert.Equal(1, p.CountOf(EventType.PageView));
        Assert.Equal(0, p.CountOf(EventType.ProductView));
        Assert.Equal(T0.AddMinutes(5), p.FirstSeen);
        Assert.Equal(T0.AddMinutes(5), p.LastSeen);
        Assert.Equal(1, p.EventsApplied);
        Assert.Equal(["u1"], p.KnownIds);
    }

    [Fact]
    public void First_seen_is_the_earliest_and_last_seen_the_latest_event_time_whatever_the_arrival_order()
    {
        var p = Apply(Apply(Apply(Fresh, PageView("e1", 10)), PageView("e2", 2)), PageView("e3", 7));
        Assert.Equal(T0.AddMinutes(2), p.FirstSeen);
        Assert.Equal(T0.AddMinutes(10), p.LastSeen);
    }

    [Fact]
    public void Page_view_shares_untouched_collections_with_the_previous_version()
    {
        var before = Apply(Apply(Fresh, ProductView("e1", "a")), Identify("e2", 1, ("plan", "pro")));
        var after = Apply(before, PageView("e3"));
        Assert.Same(before.RecentlyViewedItems, after.RecentlyViewedItems);
        Assert.Same(before.Traits, after.Traits);
        Assert.Same(before.KnownIds, after.KnownIds);
    }

    [Fact]
    public void Product_view_puts_the_item_first_in_recently_viewed()
    {
        var p = Apply(Apply(Apply(Fresh, ProductView("e1", "a")), ProductView("e2", "b")), ProductView("e3", "c"));
        Assert.Equal(["c", "b", "a"], p.RecentlyViewedItems);
    }

    [Fact]
    public void Viewing_an_item_again_moves_it_to_the_front_without_duplicating_it()
    {
        var p = Apply(Apply(Apply(Fresh, ProductView("e1", "a")), ProductView("e2", "b")), ProductView("e3", "a"));
        Assert.Equal(["a", "b"], p.RecentlyViewedItems);
        Assert.Equal(3, p.CountOf(EventType.ProductView));
    }

    [Fact]
    public void Recently_viewed_keeps_the_50_most_recent_items()
    {
        var p = Fresh;
        for (var i = 0; i < 60; i++) p = Apply(p, ProductView($"e{i}", $"item-{i}"));
        Assert.Equal(50, p.RecentlyViewedItems.Count);
        Assert.Equal("item-59", p.RecentlyViewedItems[0]);
        Assert.Equal("item-10", p.RecentlyViewedItems[^1]);
    }

    [Fact]
    public void Purchase_adds_revenue_and_an_order()
    {
        var p = Apply(Apply(Fresh, Purchase("e1", "o1", 25m)), Purchase("e2", "o2", 10.5m));
        Assert.Equal(35.5m, p.TotalRevenue);
        Assert.Equal(2, p.Orders);
        Assert.Equal(2, p.CountOf(EventType.Purchase));
    }

    [Fact]
    public void Last_purchase_is_the_latest_by_event_time_not_by_arrival()
    {
        var p = Apply(Apply(Fresh, Purchase("e1", "late", 20m, minute: 30)), Purchase("e2", "early", 5m, minute: 10));
        var last = p.LastPurchase!;
        Assert.Equal("late", last.OrderId);
        Assert.Equal(T0.AddMinutes(30), last.At);
        Assert.Equal(20m, last.Revenue);
        Assert.Equal("EUR", last.Currency);
        Assert.Equal([new LineItem("sku-late", "shoes", 20m, 1)], last.Items);
    }

    [Fact]
    public void Identify_merges_traits_and_a_null_trait_removes_it()
    {
        var p = Apply(Fresh, Identify("e1", 0, ("email", "a@x"), ("plan", "free")));
        p = Apply(p, Identify("e2", 1, ("plan", "pro"), ("email", null), ("age", "42")));
        Assert.Equal(new Dictionary<string, string> { ["plan"] = "pro", ["age"] = "42" }, p.Traits);
    }

    [Fact]
    public void Consent_records_each_purpose_with_its_time()
    {
        var p = Apply(Fresh, Consent("e1", 5, ("analytics", true), ("marketing", false)));
        Assert.Equal(new ConsentState(true, T0.AddMinutes(5)), p.Consent!["analytics"]);
        Assert.Equal(new ConsentState(false, T0.AddMinutes(5)), p.Consent["marketing"]);
        Assert.True(p.HasConsent("analytics"));
        Assert.False(p.HasConsent("marketing"));
        Assert.False(p.HasConsent("personalization"));
    }

    [Fact]
    public void Consent_with_the_latest_timestamp_wins_per_purpose()
    {
        var p = Apply(Fresh, Consent("e1", 10, ("marketing", true), ("analytics", true)));
        p = Apply(p, Consent("e2", 5, ("marketing", false), ("personalization", true)));  // older: marketing ignored
        p = Apply(p, Consent("e3", 20, ("analytics", false)));
        Assert.True(p.Consent!["marketing"].Granted);
        Assert.False(p.Consent["analytics"].Granted);
        Assert.True(p.Consent["personalization"].Granted);
    }

    [Fact]
    public void Consent_given_and_withdrawn_at_the_same_instant_ends_withdrawn_in_either_order()
    {
        var grant = Consent("e1", 5, ("marketing", true));
        var deny = Consent("e2", 5, ("marketing", false));
        Assert.False(Apply(Apply(Fresh, grant), deny).HasConsent("marketing"));
        Assert.False(Apply(Apply(Fresh, deny), grant).HasConsent("marketing"));
    }

    [Fact]
    public void Alias_adds_the_previous_id_to_known_ids()
    {
        var p = Apply(Fresh, Of(EventType.Alias, "e1") with { PreviousId = "anon-1" });
        Assert.Equal(["u1", "anon-1"], p.KnownIds);
        Assert.Equal(1, p.CountOf(EventType.Alias));
    }

    [Fact]
    public void Known_ids_collect_user_and_anonymous_ids_once_each()
    {
        var p = Apply(Fresh, PageView("e1") with { AnonymousId = "a1" });
        p = Apply(p, PageView("e2") with { AnonymousId = "a1" });
        p = Apply(p, PageView("e3") with { AnonymousId = "a2" });
        Assert.Equal(["u1", "a1", "a2"], p.KnownIds);
    }

    [Fact]
    public void Known_ids_are_bounded_and_never_lose_the_profile_id()
    {
        var p = Fresh;
        for (var i = 0; i < 40; i++) p = Apply(p, PageView($"e{i}") with { AnonymousId = $"a{i}" });
        Assert.Equal(UserProfile.MaxKnownIds, p.KnownIds.Count);
        Assert.Equal("u1", p.KnownIds[0]);
        Assert.Equal("a39", p.KnownIds[^1]);
    }

    [Theory]
    [InlineData(EventType.Search)]
    [InlineData(EventType.AddToCart)]
    [InlineData(EventType.RemoveFromCart)]
    [InlineData(EventType.OfferImpression)]
    [InlineData(EventType.OfferClick)]
    [InlineData(EventType.Custom)]
    public void Events_without_profile_fields_of_their_own_are_counted(EventType type)
    {
        var p = Apply(Apply(Fresh, Of(type, "e1")), Of(type, "e2"));
        Assert.Equal(2, p.CountOf(type));
        Assert.Equal(2, p.EventsApplied);
        Assert.Equal(0m, p.TotalRevenue);
        Assert.Empty(p.RecentlyViewedItems);
    }

    [Fact]
    public void Same_event_id_twice_is_a_duplicate_and_changes_nothing()
    {
        var once = Apply(Fresh, Purchase("e1", "o1", 10m));
        var twice = ProfileReducer.Apply(once, Purchase("e1", "o1", 10m) with { Revenue = 99m }, null);
        Assert.Equal(ApplyOutcome.DuplicateEventId, twice.Outcome);
        Assert.Same(once, twice.Profile);
    }

    [Fact]
    public void Position_at_or_below_the_partition_high_water_mark_is_a_replay()
    {
        var p = Apply(Fresh, PageView("e1"), new EventPosition(3, 100));
        var same = ProfileReducer.Apply(p, PageView("e-other"), new EventPosition(3, 100));
        var older = ProfileReducer.Apply(p, PageView("e-older"), new EventPosition(3, 42));
        Assert.Equal(ApplyOutcome.ReplayedPosition, same.Outcome);
        Assert.Equal(ApplyOutcome.ReplayedPosition, older.Outcome);
        Assert.Same(p, same.Profile);
        Assert.Same(p, older.Profile);
    }

    [Fact]
    public void Offsets_are_tracked_per_partition()
    {
        var p = Apply(Fresh, PageView("e1"), new EventPosition(3, 100));
        p = Apply(p, PageView("e2"), new EventPosition(1, 5));
        Assert.Equal(new Dictionary<int, long> { [1] = 5, [3] = 100 }, p.Dedupe.HighestOffsetByPartition);
        Assert.Equal(ApplyOutcome.Applied, ProfileReducer.Apply(p, PageView("e3"), new EventPosition(1, 6)).Outcome);
    }

    [Fact]
    public void Replays_are_recognised_exactly_beyond_the_event_id_window()
    {
        var events = Enumerable.Range(0, 1000).Select(i => (PageView($"e{i}"), (EventPosition?)new EventPosition(0, i))).ToList();
        var p = ProfileReducer.ApplyAll(Fresh, events);
        Assert.Equal(1000, p.EventsApplied);
        foreach (var (e, pos) in events) Assert.Equal(ApplyOutcome.ReplayedPosition, ProfileReducer.Apply(p, e, pos).Outcome);
    }

    [Fact]
    public void Producer_duplicate_at_a_new_offset_is_caught_by_event_id()
    {
        var p = Apply(Fresh, PageView("e1"), new EventPosition(0, 1));
        var dup = ProfileReducer.Apply(p, PageView("e1"), new EventPosition(0, 2));
        Assert.Equal(ApplyOutcome.DuplicateEventId, dup.Outcome);
        Assert.Equal(p with { Dedupe = dup.Profile.Dedupe }, dup.Profile);
        Assert.Equal(1, dup.Profile.EventsApplied);
    }

    [Fact]
    public void Duplicate_advances_its_partition_so_a_later_replay_is_caught_after_the_id_left_the_window()
    {
        // e1 arrives on partition 0, then again (a producer retry) as the last message of partition 1 for this user.
        var p = Apply(Fresh, PageView("e1"), new EventPosition(0, 1));
        p = ProfileReducer.Apply(p, PageView("e1"), new EventPosition(1, 7)).Profile;
        for (var i = 0; i < 400; i++) p = Apply(p, PageView($"later-{i}"), new EventPosition(0, 2 + i));
        Assert.False(p.Dedupe.Seen("e1"));

        // Partition 1 is replayed after a crash.
        var replay = ProfileReducer.Apply(p, PageView("e1"), new EventPosition(1, 7));
        Assert.Equal(ApplyOutcome.ReplayedPosition, replay.Outcome);
        Assert.Same(p, replay.Profile);
    }

    [Fact]
    public void Duplicate_without_position_returns_the_same_profile()
    {
        var p = Apply(Fresh, PageView("e1"));
        Assert.Same(p, ProfileReducer.Apply(p, PageView("e1"), null).Profile);
        Assert.Same(p, ProfileReducer.Apply(p, PageView("e1"), null).Profile);
    }

    [Fact]
    public void Offsets_of_a_new_log_generation_are_not_replays_and_replace_the_old_marks()
    {
        // The embedded broker restarted: offsets begin again at 0 in generation 2.
        var p = Apply(Fresh, PageView("e1"), new EventPosition(0, 500, Generation: 1));
        p = Apply(p, PageView("e2"), new EventPosition(1, 70, Generation: 1));

        p = Apply(p, PageView("e3"), new EventPosition(0, 3, Generation: 2));

        Assert.Equal(2, p.Dedupe.LogGeneration);
        Assert.Equal(new Dictionary<int, long> { [0] = 3 }, p.Dedupe.HighestOffsetByPartition);
        Assert.Equal(ApplyOutcome.ReplayedPosition, ProfileReducer.Apply(p, PageView("x"), new EventPosition(0, 3, 2)).Outcome);
        Assert.Equal(ApplyOutcome.Applied, ProfileReducer.Apply(p, PageView("y"), new EventPosition(1, 5, 2)).Outcome);
    }

    [Fact]
    public void Positions_from_an_older_log_generation_fall_back_to_event_id_dedupe_and_leave_the_marks_alone()
    {
        var p = Apply(Fresh, PageView("e1"), new EventPosition(0, 5, Generation: 2));

        var stale = ProfileReducer.Apply(p, PageView("e1"), new EventPosition(0, 900, Generation: 1));
        var fresh = ProfileReducer.Apply(p, PageView("e9"), new EventPosition(0, 1, Generation: 1));

        Assert.Equal(ApplyOutcome.DuplicateEventId, stale.Outcome);
        Assert.Same(p, stale.Profile);
        Assert.Equal(ApplyOutcome.Applied, fresh.Outcome);
        Assert.Equal(p.Dedupe.HighestOffsetByPartition, fresh.Profile.Dedupe.HighestOffsetByPartition);
        Assert.Equal(2, fresh.Profile.Dedupe.LogGeneration);
    }

    [Fact]
    public void Event_id_window_forgets_ids_older_than_its_bound()
    {
        var p = Fresh;
        const int total = DedupeState.Capacity + 32;
        for (var i = 0; i < total; i++) p = Apply(p, PageView($"e{i}"));
        Assert.False(p.Dedupe.Seen("e0"));
        for (var i = total - DedupeState.Capacity; i < total; i++) Assert.True(p.Dedupe.Seen($"e{i}"), $"e{i}");
        Assert.Equal(ApplyOutcome.Applied, ProfileReducer.Apply(p, PageView("e0"), null).Outcome);
    }

    [Fact]
    public void Applying_leaves_the_input_profile_untouched_and_can_branch()
    {
        var baseProfile = Apply(Apply(Fresh, PageView("e1")), ProductView("e2", "a"));
        var left = Apply(baseProfile, PageView("left"));
        var right = Apply(baseProfile, PageView("right"));
        Assert.Equal(2, baseProfile.EventsApplied);
        Assert.False(baseProfile.Dedupe.Seen("left"));
        Assert.False(baseProfile.Dedupe.Seen("right"));
        Assert.True(left.Dedupe.Seen("left"));
        Assert.False(left.Dedupe.Seen("right"));
        Assert.True(right.Dedupe.Seen("right"));
        Assert.False(right.Dedupe.Seen("left"));
        Assert.Equal(new[] { "e1", "e2", "left" }.Select(DedupeState.HashOf), left.Dedupe.RecentEventIdHashes);
        Assert.Equal(new[] { "e1", "e2", "right" }.Select(DedupeState.HashOf), right.Dedupe.RecentEventIdHashes);
    }

    [Fact]
    public void Counts_restored_from_an_older_snapshot_with_fewer_types_still_work()
    {
        var restored = Fresh with { EventCounts = [3, 1] };
        var p = Apply(restored, Of(EventType.Custom, "e1") with { Name = "x" });
        Assert.Equal(3, p.CountOf(EventType.PageView));
        Assert.Equal(1, p.CountOf(EventType.ProductView));
        Assert.Equal(1, p.CountOf(EventType.Custom));
    }

    [Fact]
    public void Apply_all_skips_duplicates_and_replays()
    {
        var e1 = PageView("e1");
        var p = ProfileReducer.ApplyAll(Fresh, [(e1, new EventPosition(0, 1)), (e1, null), (PageView("e2"), new EventPosition(0, 1)), (PageView("e3"), null)]);
        Assert.Equal(2, p.EventsApplied);
        Assert.Equal(2, p.CountOf(EventType.PageView));
    }
}
