using DmpActors.Domain.Identity;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Tests.Identity;

public class MergeProtocolTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly RequestMerge AnonIntoAlice = new("anon-1", "e1");

    private static MergeProtocol Merging(int attempt = 0) =>
        ((ProtocolStep.Lock)MergeProtocol.Stitch("alice", IdentityState.Empty, AnonIntoAlice, MergeRules.Default, attempt)).Protocol;

    [Fact]
    public void A_stitch_locks_the_other_id_under_the_merge_id_of_its_trigger()
    {
        var protocol = Merging();

        Assert.Equal(ProtocolKind.Merge, protocol.Kind);
        Assert.Equal(IdentityHashes.MergeId("alice", "anon-1", "e1"), protocol.LockId);
        Assert.Equal("anon-1", protocol.OtherId);
        Assert.False(protocol.Writing);
    }

    [Fact]
    public void An_id_already_held_stitches_nothing()
    {
        var holding = IdentityState.Empty.Absorb("anon-1", IdentityState.Empty, "m0", T0);

        Assert.Same(ProtocolStep.Nothing, MergeProtocol.Stitch("alice", holding, AnonIntoAlice, MergeRules.Default));
    }

    [Fact]
    public void A_placeholder_id_is_refused_before_anything_is_locked()
    {
        var step = MergeProtocol.Stitch("alice", IdentityState.Empty, new RequestMerge("undefined", "e1"), MergeRules.Default);

        Assert.Equal(MergeRefusalReason.BlockedId, Assert.IsType<ProtocolStep.Refuse>(step).Reason);
    }

    [Fact]
    public void The_trigger_of_an_undone_merge_does_not_redo_it_but_another_event_does()
    {
        var mergeId = IdentityHashes.MergeId("alice", "anon-1", "e1");
        var undone = IdentityState.Empty.Absorb("anon-1", IdentityState.Empty, mergeId, T0)
            .Release("anon-1", IdentityState.Empty, IdentityState.Empty, mergeId);

        Assert.Equal(new ProtocolStep.Refuse(mergeId, MergeRefusalReason.Unmerged, "e1"),
            MergeProtocol.Stitch("alice", undone, AnonIntoAlice, MergeRules.Default));
        Assert.IsType<ProtocolStep.Lock>(MergeProtocol.Stitch("alice", undone, new RequestMerge("anon-1", "e2"), MergeRules.Default));
    }

    [Fact]
    public void A_locked_profile_already_folded_into_this_one_is_released_without_a_refusal()
    {
        var step = Merging().OnLocked("alice", IdentityState.Empty, IdentityState.Empty.ForwardTo("alice"), MergeRules.Default);

        Assert.Equal(new ProtocolStep.Release(null), step);
    }

    [Fact]
    public void A_locked_profile_folded_elsewhere_or_bringing_a_second_user_id_is_released_with_the_reason()
    {
        var protocol = Merging();
        var alice = IdentityState.Empty.WithUserId("alice");

        Assert.Equal(new ProtocolStep.Release(MergeRefusalReason.MergedElsewhere),
            protocol.OnLocked("alice", alice, IdentityState.Empty.ForwardTo("bob"), MergeRules.Default));
        Assert.Equal(new ProtocolStep.Release(MergeRefusalReason.TooManyUserIds),
            protocol.OnLocked("alice", alice, IdentityState.Empty.WithUserId("anon-1"), MergeRules.Default));
        Assert.Same(ProtocolStep.Commit, protocol.OnLocked("alice", alice, IdentityState.Empty, MergeRules.Default));
    }

    [Fact]
    public void A_busy_profile_is_asked_again_with_doubling_delays_then_the_merge_is_refused()
    {
        var delays = Enumerable.Range(0, MergeProtocol.MaxBusyRetries)
            .Select(attempt => Assert.IsType<ProtocolStep.RetryLater>(Merging(attempt).OnRefused(MergeRefusalReason.Busy, jitter: 0.5)))
            .ToList();

        Assert.Equal([1, 2, 3, 4, 5], delays.Select(d => d.Attempt));
        Assert.Equal([100, 200, 400, 800, 1600], delays.Select(d => d.Delay.TotalMilliseconds));
        Assert.Equal(MergeRefusalReason.Busy,
            Assert.IsType<ProtocolStep.Refuse>(Merging(MergeProtocol.MaxBusyRetries).OnRefused(MergeRefusalReason.Busy, 0.5)).Reason);
    }

    [Theory]
    [InlineData(0.0, 50)]
    [InlineData(0.999, 149.9)]
    public void Busy_retries_are_spread_by_half_their_delay_either_way(double jitter, double milliseconds)
    {
        var retry = Assert.IsType<ProtocolStep.RetryLater>(Merging().OnRefused(MergeRefusalReason.Busy, jitter));

        Assert.Equal(milliseconds, retry.Delay.TotalMilliseconds, precision: 1);
    }

    [Fact]
    public void Any_other_refusal_of_the_lock_is_final()
    {
        Assert.Equal(new ProtocolStep.Refuse(Merging().MergeId, MergeRefusalReason.Erased, "e1"), Merging().OnRefused(MergeRefusalReason.Erased, 0.5));
    }

    [Fact]
    public void A_timeout_abandons_the_protocol_until_its_store_transaction_has_started_then_it_waits_for_the_outcome()
    {
        var protocol = Merging();

        Assert.IsType<ProtocolStep.Abandon>(protocol.OnTimedOut());
        Assert.Same(ProtocolStep.Wait, protocol.StartWriting().OnTimedOut());
        Assert.Equal(new ProtocolStep.Abandon("disk full"), protocol.StartWriting().OnFailed("disk full"));
    }

    [Fact]
    public void An_unmerge_locks_the_id_its_open_record_folded_in()
    {
        var step = MergeProtocol.Unmerge("alice", new MergeRecordSummary("m1", "alice", "anon-1", Undone: false));

        var protocol = Assert.IsType<ProtocolStep.Lock>(step).Protocol;
        Assert.Equal((ProtocolKind.Unmerge, "unmerge:m1", "anon-1"), (protocol.Kind, protocol.LockId, protocol.OtherId));
        Assert.Same(ProtocolStep.Commit, protocol.OnLocked("alice", IdentityState.Empty, IdentityState.Empty.ForwardTo("alice"), MergeRules.Default));
        Assert.Equal(new ProtocolStep.Fail("the other profile refused: Busy"), protocol.OnRefused(MergeRefusalReason.Busy, 0.5));
    }

    [Fact]
    public void An_unmerge_without_an_open_record_here_says_where_to_look()
    {
        Assert.Equal(new ProtocolStep.Fail("no open merge record"), MergeProtocol.Unmerge("alice", null));
        Assert.Equal(new ProtocolStep.Fail("no open merge record"),
            MergeProtocol.Unmerge("alice", new MergeRecordSummary("m1", "alice", "anon-1", Undone: true)));
        Assert.Equal(new ProtocolStep.Fail("merged through 'x': unmerge it there first"),
            MergeProtocol.Unmerge("alice", new MergeRecordSummary("m1", "x", "anon-1", Undone: false)));
    }
}
