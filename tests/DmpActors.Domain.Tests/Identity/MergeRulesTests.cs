using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;

namespace DmpActors.Domain.Tests.Identity;

public class MergeRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static UserEvent Event(EventType type, string? user, string? anon = null, string? previous = null) =>
        new() { EventId = "e1", Type = type, UserId = user, AnonymousId = anon, PreviousId = previous, Timestamp = T0 };

    [Theory]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData(" anonymous ")]
    [InlineData("undefined")]
    [InlineData("0")]
    [InlineData("")]
    public void Placeholder_ids_are_blocked_on_either_side_ignoring_case_and_spaces(string placeholder)
    {
        Assert.Equal(MergeRefusalReason.BlockedId, MergeRules.Default.CheckIds("alice", placeholder));
        Assert.Equal(MergeRefusalReason.BlockedId, MergeRules.Default.CheckIds(placeholder, "anon-1"));
        Assert.Null(MergeRules.Default.CheckIds("alice", "anon-1"));
    }

    [Fact]
    public void Configured_blocked_ids_replace_the_defaults()
    {
        var rules = new MergeRules(["guest-0"], 1);

        Assert.Equal(MergeRefusalReason.BlockedId, rules.CheckIds("alice", "GUEST-0"));
        Assert.Null(rules.CheckIds("alice", "null"));
    }

    [Fact]
    public void Identify_stitches_its_anonymous_id_and_alias_its_previous_id_into_the_user()
    {
        Assert.Equal("anon-1", MergeRules.StitchedId(Event(EventType.Identify, "alice", anon: "anon-1"), "alice"));
        Assert.Equal("old-id", MergeRules.StitchedId(Event(EventType.Alias, "alice", previous: "old-id"), "alice"));
    }

    [Fact]
    public void Events_that_name_no_second_id_or_were_routed_by_anonymous_id_stitch_nothing()
    {
        Assert.Null(MergeRules.StitchedId(Event(EventType.PageView, "alice", anon: "anon-1"), "alice"));
        Assert.Null(MergeRules.StitchedId(Event(EventType.Identify, "alice"), "alice"));
        Assert.Null(MergeRules.StitchedId(Event(EventType.Identify, "alice", anon: "alice"), "alice"));
        Assert.Null(MergeRules.StitchedId(Event(EventType.Identify, null, anon: "anon-1"), "anon-1"));
    }

    [Fact]
    public void Folding_a_second_known_user_into_a_profile_breaks_the_default_limit_of_one()
    {
        var alice = IdentityState.Empty.WithUserId("alice");
        var bob = IdentityState.Empty.WithUserId("bob");
        var anonymous = IdentityState.Empty;

        Assert.Equal(MergeRefusalReason.TooManyUserIds, MergeRules.Default.Check("alice", alice, bob));
        Assert.Null(MergeRules.Default.Check("alice", alice, anonymous));
        Assert.Null(new MergeRules([], 2).Check("alice", alice, bob));
    }

    [Fact]
    public void An_id_already_folded_into_another_profile_is_not_taken_again()
    {
        var tombstone = IdentityState.Empty.ForwardTo("bob");

        Assert.Equal(MergeRefusalReason.MergedElsewhere, MergeRules.Default.Check("alice", IdentityState.Empty, tombstone));
        Assert.Null(MergeRules.Default.Check("bob", IdentityState.Empty, tombstone));
    }

    [Fact]
    public void Absorbing_carries_over_the_ids_merged_into_the_absorbed_profile_and_its_user_ids()
    {
        var anon = IdentityState.Empty.Absorb("anon-2", IdentityState.Empty, "m1", T0);
        var alice = IdentityState.Empty.WithUserId("alice").Absorb("anon-1", anon, "m2", T0);

        Assert.Equal(["anon-2", "anon-1"], alice.Merged.Select(m => m.Id));
        Assert.Equal(["alice", "anon-2", "anon-1"], alice.AllIds("alice"));
        Assert.True(alice.Holds("anon-2"));
        Assert.Equal(["alice"], alice.UserIds);
    }

    [Fact]
    public void Only_the_latest_refusals_are_kept()
    {
        var state = IdentityState.Empty;
        for (var i = 0; i < IdentityState.MaxRefusals + 5; i++)
            state = state.WithRefusal(new MergeRefusal(T0.AddMinutes(i), MergeRefusalReason.BlockedId, $"e{i}"));

        Assert.Equal(IdentityState.MaxRefusals, state.Refusals.Count);
        Assert.Equal($"e{IdentityState.MaxRefusals + 4}", state.Refusals[^1].TriggerEventId);
        Assert.Equal("e5", state.Refusals[0].TriggerEventId);
    }

    [Fact]
    public void Quarantine_keys_and_merge_ids_are_stable_hashes_that_do_not_contain_the_id()
    {
        Assert.Equal(IdentityHashes.QuarantineKey("alice@example.com"), IdentityHashes.QuarantineKey("alice@example.com"));
        Assert.DoesNotContain("alice", IdentityHashes.QuarantineKey("alice@example.com"));
        Assert.Equal(64, IdentityHashes.QuarantineKey("x").Length);
        Assert.NotEqual(IdentityHashes.MergeId("a", "b", "e1"), IdentityHashes.MergeId("a", "b", "e2"));
        Assert.Equal(IdentityHashes.MergeId("a", "b", "e1"), IdentityHashes.MergeId("a", "b", "e1"));
    }
}
