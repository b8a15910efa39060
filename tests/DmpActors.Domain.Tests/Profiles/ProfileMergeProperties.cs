using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Profiles;

/// <summary>Properties of <see cref="ProfileMerge"/> over profiles built from random event sequences.</summary>
public class ProfileMergeProperties
{
    private static Gen<UserProfile> ProfileOf(string id, string eventPrefix) =>
        from length in Gen.Choose(0, 40)
        from events in ProfileReducerProperties.AnyEvent(Gen.Choose(0, 1000).Select(i => $"{eventPrefix}{i}")).ArrayOf(length)
        select ProfileReducer.ApplyAll(UserProfile.Empty(id), events.Select(e => (e, (EventPosition?)null)));

    private static Arbitrary<(UserProfile Survivor, UserProfile Absorbed, UserEvent[] After)> Pairs() =>
        (from survivor in ProfileOf("known-user", "s")
         from absorbed in ProfileOf("anon-1", "a")
         from count in Gen.Choose(0, 20)
         from after in ProfileReducerProperties.AnyEvent(Gen.Choose(0, 1000).Select(i => $"n{i}")).ArrayOf(count)
         select (survivor, absorbed, after)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Merged_counters_are_the_sums_of_both_profiles() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            return merged.Id == p.Survivor.Id
                   && EventTypes.All.All(t => merged.CountOf(t) == p.Survivor.CountOf(t) + p.Absorbed.CountOf(t))
                   && merged.EventsApplied == p.Survivor.EventsApplied + p.Absorbed.EventsApplied
                   && merged.TotalRevenue == p.Survivor.TotalRevenue + p.Absorbed.TotalRevenue
                   && merged.Orders == p.Survivor.Orders + p.Absorbed.Orders;
        });

    [Property(MaxTest = 300)]
    public Property Merged_time_range_covers_both_and_latest_purchase_is_the_later_one() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            var purchases = new[] { p.Survivor.LastPurchase, p.Absorbed.LastPurchase }.Where(x => x is not null).ToList();
            return merged.FirstSeen == new[] { p.Survivor.FirstSeen, p.Absorbed.FirstSeen }.Where(x => x is not null).Min()
                   && merged.LastSeen == new[] { p.Survivor.LastSeen, p.Absorbed.LastSeen }.Where(x => x is not null).Max()
                   && (purchases.Count == 0 ? merged.LastPurchase is null : merged.LastPurchase!.At == purchases.Max(x => x!.At));
        });

    [Property(MaxTest = 300)]
    public Property Merged_consent_is_the_latest_decision_per_purpose_from_either_profile() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            var purposes = (p.Survivor.Consent?.Keys ?? []).Union(p.Absorbed.Consent?.Keys ?? []).ToList();
            return purposes.Count == (merged.Consent?.Count ?? 0)
                   && purposes.All(purpose => merged.Consent![purpose].At == new[] { p.Survivor.Consent, p.Absorbed.Consent }
                       .Where(c => c is not null && c.ContainsKey(purpose)).Max(c => c![purpose].At));
        });

    [Property(MaxTest = 300)]
    public Property Merged_lists_hold_every_item_of_both_up_to_their_bounds() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            var items = p.Survivor.RecentlyViewedItems.Union(p.Absorbed.RecentlyViewedItems).Count();
            return merged.RecentlyViewedItems.Count == Math.Min(items, UserProfile.MaxRecentlyViewedItems)
                   && merged.RecentlyViewedItems.Distinct().Count() == merged.RecentlyViewedItems.Count
                   && merged.KnownIds.Take(p.Survivor.KnownIds.Count).SequenceEqual(p.Survivor.KnownIds);
        });

    [Property(MaxTest = 300)]
    public Property Unmerge_right_after_a_merge_restores_the_survivor_exactly() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            return ProfileMerge.Unmerge(merged, merged, p.Survivor).Equals(p.Survivor);
        });

    [Property(MaxTest = 300)]
    public Property Unmerge_keeps_what_events_after_the_merge_added_to_the_counters() =>
        Prop.ForAll(Pairs(), p =>
        {
            var merged = ProfileMerge.Merge(p.Survivor, p.Absorbed);
            var current = ProfileReducer.ApplyAll(merged, p.After.Select(e => (e, (EventPosition?)null)));
            var restored = ProfileMerge.Unmerge(current, merged, p.Survivor);
            return EventTypes.All.All(t => restored.CountOf(t) == p.Survivor.CountOf(t) + (current.CountOf(t) - merged.CountOf(t)))
                   && restored.EventsApplied == p.Survivor.EventsApplied + (current.EventsApplied - merged.EventsApplied)
                   && restored.TotalRevenue == p.Survivor.TotalRevenue + (current.TotalRevenue - merged.TotalRevenue)
                   && restored.Dedupe.Equals(current.Dedupe);
        });

    [Fact]
    public void Traits_of_the_more_recently_seen_profile_win_a_conflict()
    {
        var survivor = ProfileReducer.Apply(UserProfile.Empty("u1"), Events.Identify("e1", 5, ("city", "Paris"), ("age", "40")), null).Profile;
        var absorbed = ProfileReducer.Apply(UserProfile.Empty("anon"), Events.Identify("e2", 9, ("city", "Lyon")), null).Profile;

        var merged = ProfileMerge.Merge(survivor, absorbed);

        Assert.Equal("Lyon", merged.Traits["city"]);
        Assert.Equal("40", merged.Traits["age"]);
    }

    [Fact]
    public void A_denial_and_a_grant_at_the_same_time_merge_to_the_denial()
    {
        var survivor = ProfileReducer.Apply(UserProfile.Empty("u1"), Events.Consent("e1", 5, ("marketing", true)), null).Profile;
        var absorbed = ProfileReducer.Apply(UserProfile.Empty("anon"), Events.Consent("e2", 5, ("marketing", false)), null).Profile;

        Assert.False(ProfileMerge.Merge(survivor, absorbed).HasConsent("marketing"));
        Assert.False(ProfileMerge.Merge(absorbed, survivor).HasConsent("marketing"));
    }

    [Fact]
    public void Merging_keeps_the_survivors_dedupe_marks_only()
    {
        var survivor = ProfileReducer.Apply(UserProfile.Empty("u1"), Events.PageView("s1"), new EventPosition(0, 7, 1)).Profile;
        var absorbed = ProfileReducer.Apply(UserProfile.Empty("anon"), Events.PageView("a1"), new EventPosition(3, 9, 1)).Profile;

        var merged = ProfileMerge.Merge(survivor, absorbed);

        Assert.Same(survivor.Dedupe, merged.Dedupe);
    }
}
