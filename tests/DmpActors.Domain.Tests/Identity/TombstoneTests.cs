using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Tests.Identity;

public class TombstoneTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static UserEvent PageView(string id) => new() { EventId = id, Type = EventType.PageView, AnonymousId = "anon", Timestamp = T0 };

    [Fact]
    public void A_tombstone_forwards_new_events_and_recognises_replays_and_duplicates_of_its_own()
    {
        var anon = ProfileReducer.Apply(UserProfile.Empty("anon"), PageView("a1"), new EventPosition(2, 10, 1)).Profile;
        var dedupe = Tombstone.Of(anon).Dedupe;

        Assert.Equal(ApplyOutcome.ReplayedPosition, Tombstone.Admit(dedupe, PageView("a1"), new EventPosition(2, 10, 1)).Outcome);
        Assert.Equal(ApplyOutcome.DuplicateEventId, Tombstone.Admit(dedupe, PageView("a1"), new EventPosition(2, 11, 1)).Outcome);
        var (next, outcome) = Tombstone.Admit(dedupe, PageView("a2"), new EventPosition(2, 12, 1));
        Assert.Equal(ApplyOutcome.Applied, outcome);
        // Forwarded, but not seen here until the survivor has saved it: a crash before that must let its replay through.
        Assert.Same(dedupe, next);
        var marked = Tombstone.Mark(next, [("a2", new EventPosition(2, 12, 1))]);
        Assert.True(marked.IsReplay(new EventPosition(2, 12, 1)));
        Assert.True(marked.Seen("a2"));
        Assert.Equal(ApplyOutcome.ReplayedPosition, Tombstone.Admit(marked, PageView("a2"), new EventPosition(2, 12, 1)).Outcome);
    }

    [Fact]
    public void A_tombstone_keeps_no_data_about_the_user_only_its_dedupe_marks()
    {
        var anon = ProfileReducer.Apply(UserProfile.Empty("anon"), PageView("a1") with { Type = EventType.ProductView, ItemId = "sku" }, null).Profile;

        var tombstone = Tombstone.Of(anon);

        Assert.Equal(UserProfile.Empty("anon") with { Dedupe = anon.Dedupe }, tombstone);
        Assert.Empty(tombstone.RecentlyViewedItems);
    }

    [Fact]
    public void Releasing_an_absorbed_id_removes_it_the_ids_it_brought_and_its_user_ids()
    {
        var survivorBefore = IdentityState.Empty.WithUserId("alice").Absorb("anon-0", IdentityState.Empty, "m0", T0);
        var absorbedBefore = IdentityState.Empty.WithUserId("old-alice").Absorb("anon-2", IdentityState.Empty, "m1", T0);
        var merged = survivorBefore.Absorb("old-alice", absorbedBefore, "m2", T0);

        var released = merged.Release("old-alice", absorbedBefore, survivorBefore, "m2");

        Assert.Equal(["anon-0"], released.Merged.Select(m => m.Id));
        Assert.Equal(["alice"], released.UserIds);
        Assert.True(released.WasUndone("m2"));
        Assert.False(released.WasUndone("m0"));
    }

    [Fact]
    public void A_profile_remembers_its_latest_undone_merges_only()
    {
        var identity = IdentityState.Empty;
        for (var i = 0; i < IdentityState.MaxUndone + 5; i++) identity = identity.Release("x", IdentityState.Empty, IdentityState.Empty, $"m{i}");

        Assert.Equal(IdentityState.MaxUndone, identity.Undone.Count);
        Assert.False(identity.WasUndone("m4"));
        Assert.True(identity.WasUndone($"m{IdentityState.MaxUndone + 4}"));
    }
}
