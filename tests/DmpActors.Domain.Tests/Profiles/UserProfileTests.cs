using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Windows;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Profiles;

public class UserProfileTests
{
    private static UserProfile Busy()
    {
        var p = UserProfile.Empty("u1");
        UserEvent[] events =
        [
            PageView("e1", 1) with { AnonymousId = "a1" },
            ProductView("e2", "sku-1", 2),
            ProductView("e3", "sku-2", 3),
            Purchase("e4", "o1", 30m, 4),
            Identify("e5", 5, ("plan", "pro"), ("age", "42")),
            Consent("e6", 6, ("analytics", true), ("marketing", false)),
            Of(EventType.Alias, "e7", 7) with { PreviousId = "a0" },
        ];
        for (var i = 0; i < events.Length; i++) p = ProfileReducer.Apply(p, events[i], new EventPosition(i % 2, 100 + i)).Profile;
        return p;
    }

    /// <summary>What the engine does with its snapshot DTO: copy the public members out, build a new profile from copies.</summary>
    private static UserProfile RoundTrip(UserProfile p) => new()
    {
        Id = new string(p.Id.AsSpan()),
        EventCounts = p.EventCounts.ToList(),
        FirstSeen = p.FirstSeen,
        LastSeen = p.LastSeen,
        TotalRevenue = p.TotalRevenue,
        Orders = p.Orders,
        RecentlyViewedItems = p.RecentlyViewedItems.ToList(),
        LastPurchase = p.LastPurchase is { } lp ? lp with { Items = lp.Items.ToList() } : null,
        Traits = p.Traits.ToDictionary(),
        Consent = p.Consent?.ToDictionary(),
        KnownIds = p.KnownIds.ToList(),
        Dedupe = DedupeState.Restore(p.Dedupe.RecentEventIdHashes.ToList(), p.Dedupe.HighestOffsetByPartition.ToList()),
        EventsApplied = p.EventsApplied,
        ConsentHistory = ConsentHistory.Restore(p.ConsentHistory.Decisions.ToList()),
        Windows = RoundTrip(p.Windows),
        CategoryAffinity = AffinityScores.Restore([.. p.CategoryAffinity.Parts.Keys], [.. p.CategoryAffinity.Parts.LogScores]),
        ItemAffinity = AffinityScores.Restore([.. p.ItemAffinity.Parts.Keys], [.. p.ItemAffinity.Parts.LogScores]),
    };

    private static BehaviourWindows RoundTrip(BehaviourWindows w)
    {
        var (watermark, words, spans, categories, campaigns, sessions, tooLate) = w.Parts;
        return BehaviourWindows.Restore(watermark, [.. words], [.. spans], [.. categories], [.. campaigns], sessions, tooLate,
            DistinctItems.Restore([.. w.Items.ExactEntries], [.. w.Items.SketchWords]));
    }

    [Fact]
    public void Profile_rebuilt_from_its_public_members_equals_the_original_and_behaves_the_same()
    {
        var original = Busy();
        var restored = RoundTrip(original);

        Assert.Equal(original, restored);
        Assert.Equal(ApplyOutcome.ReplayedPosition, ProfileReducer.Apply(restored, PageView("new"), new EventPosition(1, 105)).Outcome);
        Assert.Equal(ApplyOutcome.DuplicateEventId, ProfileReducer.Apply(restored, ProductView("e3", "sku-2", 3), null).Outcome);
        Assert.Equal(ProfileReducer.Apply(original, PageView("e8", 8), null).Profile, ProfileReducer.Apply(restored, PageView("e8", 8), null).Profile);
    }

    [Fact]
    public void Profiles_that_differ_in_any_fact_are_not_equal()
    {
        var p = Busy();
        Assert.NotEqual(p, p with { TotalRevenue = 1m });
        Assert.NotEqual(p, p with { Traits = new Dictionary<string, string> { ["plan"] = "free", ["age"] = "42" } });
        Assert.NotEqual(p, p with { RecentlyViewedItems = ["sku-1", "sku-2"] });
        Assert.NotEqual(p, p with { Consent = null });
        Assert.NotEqual(p, p with { LastPurchase = p.LastPurchase! with { Revenue = 1m } });
        Assert.NotEqual(p, p with { Dedupe = DedupeState.Empty });
        Assert.NotEqual(p, p with { EventCounts = new long[EventTypes.Count] });
        Assert.NotEqual(p, p with { Windows = BehaviourWindows.Empty });
        Assert.NotEqual(p, p with { CategoryAffinity = AffinityScores.Empty });
        Assert.NotEqual(p, p with { ItemAffinity = AffinityScores.Empty });
        Assert.NotEqual(p, p with { ConsentHistory = ConsentHistory.Empty });
    }

    [Fact]
    public void Missing_collections_in_a_restored_profile_read_as_empty()
    {
        var p = new UserProfile { Id = "u1", EventCounts = null!, RecentlyViewedItems = null!, Traits = null!, KnownIds = null!, Dedupe = null! };
        Assert.Empty(p.EventCounts);
        Assert.Empty(p.RecentlyViewedItems);
        Assert.Empty(p.Traits);
        Assert.Empty(p.KnownIds);
        Assert.Same(DedupeState.Empty, p.Dedupe);
        Assert.Equal(ApplyOutcome.Applied, ProfileReducer.Apply(p, PageView("e1"), null).Outcome);
    }
}
