using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Tests.Profiles;

public sealed class IdentityCodecTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_identity_round_trips_with_merged_ids_user_ids_refusals_and_tombstone_target()
    {
        var identity = IdentityState.Empty.WithUserId("alice")
            .Absorb("anon-1", IdentityState.Empty, "m1", T0)
            .WithRefusal(new MergeRefusal(T0, MergeRefusalReason.TooManyUserIds, "e9"))
            .ForwardTo("alice-2");

        var decoded = IdentityCodec.Decode(IdentityCodec.Encode(identity));

        Assert.Equal("alice-2", decoded.MergedInto);
        Assert.Equal(identity.Merged, decoded.Merged);
        Assert.Equal(identity.UserIds, decoded.UserIds);
        Assert.Equal(identity.Refusals, decoded.Refusals);
    }

    [Fact]
    public void The_empty_identity_most_users_have_stores_nothing()
    {
        Assert.Null(IdentityCodec.Encode(IdentityState.Empty));
        Assert.Empty(IdentityCodec.Decode(null).Merged);
    }

    [Fact]
    public void A_merge_record_keeps_both_earlier_profiles_exactly()
    {
        var survivor = ProfileReducer.Apply(UserProfile.Empty("alice"),
            new UserEvent { EventId = "e1", Type = EventType.Purchase, UserId = "alice", OrderId = "o1", Revenue = 12.5m, Timestamp = T0 }, new EventPosition(1, 5, 1)).Profile;
        var absorbed = ProfileReducer.Apply(UserProfile.Empty("anon"),
            new UserEvent { EventId = "e2", Type = EventType.ProductView, AnonymousId = "anon", ItemId = "sku", Timestamp = T0 }, null).Profile;
        var before = new IdentityCodec.MergeBefore(new IdentityCodec.Side(survivor, IdentityState.Empty.WithUserId("alice")), new IdentityCodec.Side(absorbed, IdentityState.Empty));

        var decoded = IdentityCodec.DecodeMerge(IdentityCodec.EncodeMerge(before));

        Assert.Equal(survivor, decoded.Survivor.Profile);
        Assert.Equal(absorbed, decoded.Absorbed.Profile);
        Assert.Equal(["alice"], decoded.Survivor.Identity.UserIds);
    }

    [Fact]
    public void Bytes_of_another_kind_or_a_newer_version_are_refused_with_a_clear_error()
    {
        Assert.Contains("bad header", Assert.Throws<FormatException>(() => IdentityCodec.Decode([(byte)'P', 1, 0])).Message);
        Assert.Contains("newer", Assert.Throws<FormatException>(() => IdentityCodec.DecodeMerge([(byte)'M', 9, 0])).Message);
    }
}
