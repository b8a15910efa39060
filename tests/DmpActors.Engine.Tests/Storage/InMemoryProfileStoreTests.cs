using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Storage;

public sealed class InMemoryProfileStoreTests : ProfileStoreContract
{
    protected override Task<IProfileStore> CreateStoreAsync() => Task.FromResult<IProfileStore>(new InMemoryProfileStore());

    protected override Task<(IProfileStore Store, string[] PoisonIds)> CreateStoreWithPoisonIdsAsync()
    {
        var store = new InMemoryProfileStore();
        store.RefuseRows(id => id.StartsWith("poison-", StringComparison.Ordinal), "poison row");
        return Task.FromResult<(IProfileStore, string[])>((store, ["poison-1", "poison-2"]));
    }

    [Fact] public Task Memory_saved_profiles_load_back_and_unknown_ids_are_absent() => Saved_profiles_load_back_and_unknown_ids_are_absent();
    [Fact] public Task Memory_a_lower_version_never_overwrites_a_higher_one() => A_lower_version_never_overwrites_a_higher_one();
    [Fact] public Task Memory_large_batches_commit_together() => Large_batches_commit_together_and_load_in_one_call();
    [Fact] public Task Memory_a_batch_naming_an_id_twice_keeps_its_highest_version() => A_batch_naming_an_id_twice_keeps_its_highest_version();
    [Fact] public Task Memory_delete_removes_one_profile() => Delete_removes_one_profile();
    [Fact] public Task Memory_sequences_count_up_durably() => Sequences_count_up_durably();
    [Fact] public Task Memory_a_save_based_on_a_version_is_written_only_over_that_version() => A_save_based_on_a_version_is_written_only_over_that_version();
    [Fact] public Task Memory_a_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale() => A_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale();
    [Fact] public Task Memory_rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left() => Rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left();
    [Fact] public Task Memory_rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits() => Rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits();
    [Fact] public Task Memory_members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows() => Members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows();
    [Fact] public Task Memory_due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early() => Due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early();
    [Fact] public Task Memory_erasure_and_deletion_remove_a_users_timers() => Erasure_and_deletion_remove_a_users_timers();
    [Fact] public Task Memory_member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change() => Member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change();
    [Fact] public Task Memory_erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows() => Erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows();
    [Fact] public Task Memory_a_scan_of_ids_visits_every_stored_profile_once_in_pages() => A_scan_of_ids_visits_every_stored_profile_once_in_pages();

    [Fact]
    public async Task Memory_a_failing_save_throws_and_writes_nothing_and_the_next_one_commits()
    {
        await using var store = new InMemoryProfileStore();
        await store.SaveAsync([new StoredProfile("u1", Bytes("v1"), 1)]);
        store.FailNextSaves(1, "connection refused");

        var error = await Assert.ThrowsAsync<IOException>(() => store.SaveAsync([new StoredProfile("u1", Bytes("v2"), 2), new StoredProfile("u2", Bytes("x"), 1)]));

        Assert.Equal("connection refused", error.Message);
        Assert.Equal(["u1"], (await store.LoadAsync(["u1", "u2"])).Keys);
        Assert.Equal(SaveResult.AllWritten, await store.SaveAsync([new StoredProfile("u1", Bytes("v2"), 2)]));
        Assert.Equal(2, (await store.LoadAsync(["u1"]))["u1"].Version);
    }

    [Fact]
    public async Task Memory_a_held_save_writes_nothing_until_the_hold_is_released()
    {
        await using var store = new InMemoryProfileStore();
        var hold = store.HoldSaves();

        var saving = store.SaveAsync([new StoredProfile("u1", Bytes("v1"), 1)]);
        await hold.Reached;

        Assert.False(saving.IsCompleted);
        Assert.Empty(await store.LoadAsync(["u1"]));
        hold.Dispose();
        Assert.Equal(SaveResult.AllWritten, await saving);
        Assert.Single(await store.LoadAsync(["u1"]));
    }

    [Fact]
    public async Task Memory_a_loaded_profile_is_a_copy_that_cannot_change_what_is_stored()
    {
        await using var store = new InMemoryProfileStore();
        var state = Bytes("v1");
        await store.SaveAsync([new StoredProfile("u1", state, 1)]);

        state[0] = (byte)'X';
        (await store.LoadAsync(["u1"]))["u1"].State[1] = (byte)'X';

        Assert.Equal("v1", System.Text.Encoding.UTF8.GetString((await store.LoadAsync(["u1"]))["u1"].State));
    }
}

public sealed class InMemoryIdentityStoreTests : IdentityStoreContract
{
    protected override Task<IProfileStore> CreateStoreAsync() => Task.FromResult<IProfileStore>(new InMemoryProfileStore(Clock));

    [Fact] public Task Memory_a_merge_writes_both_profiles_their_identities_and_the_record_together() => A_merge_writes_both_profiles_their_identities_and_the_record_together();
    [Fact] public Task Memory_a_merge_over_a_newer_stored_version_writes_nothing() => A_merge_over_a_newer_stored_version_writes_nothing();
    [Fact] public Task Memory_the_same_merge_id_is_recorded_once() => The_same_merge_id_is_recorded_once();
    [Fact] public Task Memory_merges_written_at_the_same_time_succeed_or_fail_each_on_its_own() => Merges_written_at_the_same_time_succeed_or_fail_each_on_its_own();
    [Fact] public Task Memory_an_undone_merge_is_marked_and_cannot_be_undone_twice() => An_undone_merge_is_marked_and_cannot_be_undone_twice();
    [Fact] public Task Memory_merge_records_are_found_by_either_side() => Merge_records_are_found_by_either_side();
    [Fact] public Task Memory_erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids() => Erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids();
    [Fact] public Task Memory_a_save_never_writes_a_quarantined_id_until_the_quarantine_ends() => A_save_never_writes_a_quarantined_id_until_the_quarantine_ends();
    [Fact] public Task Memory_a_row_left_for_a_quarantined_id_does_not_load() => A_row_left_for_a_quarantined_id_does_not_load();
    [Fact] public Task Memory_an_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind() => An_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind();
    [Fact] public Task Memory_profiles_without_identity_load_with_none() => Profiles_without_identity_load_with_none();
}
