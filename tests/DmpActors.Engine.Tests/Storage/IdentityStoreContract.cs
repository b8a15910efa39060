using System.Text;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Storage;

/// <summary>The store's merge, erasure and quarantine specification, run against every store on a real database.</summary>
public abstract class IdentityStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    protected ManualClock Clock { get; } = new(T0);

    protected abstract Task<IProfileStore> CreateStoreAsync();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    private static StoredMerge Merge(string id, string survivor, string absorbed, int minute = 0) =>
        new(id, survivor, absorbed, T0.AddMinutes(minute), "e-" + id, Bytes("before-" + id));

    protected async Task A_merge_writes_both_profiles_their_identities_and_the_record_together()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("alice", Bytes("a1"), 1), new StoredProfile("anon", Bytes("n1"), 4)]);

        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("merged"), 2, Bytes("holds anon")),
            new StoredProfile("anon", Bytes("tombstone"), 5, Bytes("into alice")), Merge("m1", "alice", "anon"));

        var loaded = await store.LoadAsync(["alice", "anon"]);
        Assert.Equal(("merged", "holds anon"), (Text(loaded["alice"].State), Text(loaded["alice"].Identity)));
        Assert.Equal(("tombstone", "into alice"), (Text(loaded["anon"].State), Text(loaded["anon"].Identity)));
        var record = await store.LoadMergeAsync("m1");
        Assert.NotNull(record);
        Assert.Equal(("alice", "anon", T0, "e-m1", "before-m1"), (record.SurvivorId, record.AbsorbedId, record.At, record.TriggerEventId, Text(record.Payload)));
        Assert.Null(record.UndoneAt);
    }

    protected async Task A_merge_over_a_newer_stored_version_writes_nothing()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("alice", Bytes("a9"), 9), new StoredProfile("anon", Bytes("n1"), 1)]);

        await Assert.ThrowsAsync<StaleProfileException>(() => store.SaveMergeAsync(
            new StoredProfile("alice", Bytes("old"), 3), new StoredProfile("anon", Bytes("tombstone"), 2), Merge("m1", "alice", "anon")));

        var loaded = await store.LoadAsync(["alice", "anon"]);
        Assert.Equal(("a9", "n1"), (Text(loaded["alice"].State), Text(loaded["anon"].State)));
        Assert.Null(await store.LoadMergeAsync("m1"));
    }

    protected async Task Merges_written_at_the_same_time_succeed_or_fail_each_on_its_own()
    {
        // Given a stored user with a newer version than one of the merges below will bring
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("carol", Bytes("c9"), 9)]);

        // When 40 merges are saved at once (so they queue behind each other), one of them stale
        var saves = Enumerable.Range(0, 40).Select(i => i == 17
            ? store.SaveMergeAsync(new StoredProfile("carol", Bytes("old"), 3), new StoredProfile("anon-17", Bytes("t"), 1), Merge("m17", "carol", "anon-17"))
            : store.SaveMergeAsync(new StoredProfile($"user-{i}", Bytes($"merged-{i}"), 1), new StoredProfile($"anon-{i}", Bytes("t"), 1), Merge($"m{i}", $"user-{i}", $"anon-{i}"))).ToList();
        var outcomes = await Task.WhenAll(saves.Select(async save =>
        {
            try { await save; return null; }
            catch (Exception e) { return e; }
        }));

        // Then only the stale one failed, and wrote nothing; every other merge is stored whole
        Assert.IsType<StaleProfileException>(outcomes[17]);
        Assert.All(outcomes.Where((_, i) => i != 17), Assert.Null);
        Assert.Null(await store.LoadMergeAsync("m17"));
        var loaded = await store.LoadAsync([.. Enumerable.Range(0, 40).Select(i => $"user-{i}"), "carol", "anon-17"]);
        Assert.Equal("c9", Text(loaded["carol"].State));
        Assert.False(loaded.ContainsKey("anon-17"));
        Assert.Equal(39, loaded.Count(kv => kv.Key.StartsWith("user-", StringComparison.Ordinal)));
        Assert.NotNull(await store.LoadMergeAsync("m39"));
    }

    protected async Task The_same_merge_id_is_recorded_once()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("a"), 1), new StoredProfile("anon", Bytes("t"), 1), Merge("m1", "alice", "anon"));

        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveMergeAsync(
            new StoredProfile("alice", Bytes("again"), 2), new StoredProfile("anon", Bytes("again"), 2), Merge("m1", "alice", "anon")));

        Assert.Equal("a", Text((await store.LoadAsync(["alice"]))["alice"].State));
    }

    protected async Task An_undone_merge_is_marked_and_cannot_be_undone_twice()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("a"), 1), new StoredProfile("anon", Bytes("t"), 1), Merge("m1", "alice", "anon"));
        var undo = Merge("m1", "alice", "anon") with { UndoneAt = T0.AddHours(1) };

        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("a-alone"), 2), new StoredProfile("anon", Bytes("anon-again"), 2), undo);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveMergeAsync(
            new StoredProfile("alice", Bytes("x"), 3), new StoredProfile("anon", Bytes("y"), 3), undo));

        Assert.Equal(T0.AddHours(1), (await store.LoadMergeAsync("m1"))!.UndoneAt);
        Assert.Equal("anon-again", Text((await store.LoadAsync(["anon"]))["anon"].State));
    }

    protected async Task Merge_records_are_found_by_either_side()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("a"), 1), new StoredProfile("anon-1", Bytes("t"), 1), Merge("m1", "alice", "anon-1", 1));
        await store.SaveMergeAsync(new StoredProfile("anon-1", Bytes("a"), 2), new StoredProfile("anon-2", Bytes("t"), 1), Merge("m0", "anon-1", "anon-2", 0));
        await store.SaveMergeAsync(new StoredProfile("bob", Bytes("b"), 1), new StoredProfile("anon-3", Bytes("t"), 1), Merge("m2", "bob", "anon-3"));

        Assert.Equal(["m0", "m1"], (await store.LoadMergesAsync(["anon-1"])).Select(m => m.MergeId));
        Assert.Equal(["m1"], (await store.LoadMergesAsync(["alice"])).Select(m => m.MergeId));
        Assert.Empty(await store.LoadMergesAsync(["nobody"]));
    }

    protected async Task Erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveMergeAsync(new StoredProfile("alice", Bytes("a"), 1), new StoredProfile("anon", Bytes("t"), 1), Merge("m1", "alice", "anon"));
        await store.SaveAsync([new StoredProfile("bob", Bytes("b"), 1)]);

        await store.EraseAsync(["alice", "anon"], T0.AddDays(30));

        Assert.Equal(["bob"], (await store.LoadAsync(["alice", "anon", "bob"])).Keys);
        Assert.Empty(await store.LoadMergesAsync(["alice", "anon"]));
        var quarantined = await store.LoadQuarantineAsync(["alice", "anon", "bob"], T0);
        Assert.Equal(["alice", "anon"], quarantined.Keys.Order());
        Assert.Equal(T0.AddDays(30), quarantined["alice"]);
        Assert.Empty(await store.LoadQuarantineAsync(["alice"], T0.AddDays(30)));
    }

    protected async Task A_save_never_writes_a_quarantined_id_until_the_quarantine_ends()
    {
        await using var store = await CreateStoreAsync();
        await store.EraseAsync(["alice"], T0.AddDays(30));

        // Skipped, neither stale nor rejected: the erasure is what the caller wanted
        Assert.Equal(SaveResult.AllWritten, await store.SaveAsync([new StoredProfile("alice", Bytes("resurrected"), 7), new StoredProfile("bob", Bytes("b"), 1)]));
        Assert.Equal(["bob"], (await store.LoadAsync(["alice", "bob"])).Keys);

        Clock.Now = T0.AddDays(30);
        await store.SaveAsync([new StoredProfile("alice", Bytes("new alice"), 1)]);
        Assert.Equal("new alice", Text((await store.LoadAsync(["alice"]))["alice"].State));
    }

    protected async Task A_row_left_for_a_quarantined_id_does_not_load()
    {
        // Given a row written for alice after her quarantine ended, and the clock back inside it (a node whose clock
        // runs late, or a row restored from a backup)
        await using var store = await CreateStoreAsync();
        await store.EraseAsync(["alice"], T0.AddDays(30));
        Clock.Now = T0.AddDays(30);
        await store.SaveAsync([new StoredProfile("alice", Bytes("back"), 1), new StoredProfile("bob", Bytes("b"), 1)]);
        Clock.Now = T0;

        // Then loading finds no profile for her, so her entity starts from quarantine
        Assert.Equal(["bob"], (await store.LoadAsync(["alice", "bob"])).Keys);
        Assert.Equal(["alice"], (await store.LoadQuarantineAsync(["alice", "bob"], T0)).Keys);
    }

    protected async Task An_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind()
    {
        const int rounds = 40, writers = 4;
        await using var store = await CreateStoreAsync();
        for (var round = 0; round < rounds; round++)
        {
            // Given writers saving the same ids over and over, with growing versions
            var ids = Enumerable.Range(0, 40).Select(i => $"r{round}-u{i}").ToArray();
            var erased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var wrote = Enumerable.Range(0, writers).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var saving = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                // Each keeps saving until two of its saves started after the erasure had returned
                for (long version = 1, after = 0; after < 2; version++)
                {
                    if (erased.Task.IsCompleted) after++;
                    await store.SaveAsync(ids.Select(id => new StoredProfile(id, Bytes($"w{w}"), version * writers + w)).ToList());
                    wrote[w].TrySetResult();
                }
            })).ToArray();
            await Task.WhenAll(wrote.Select(w => w.Task));

            // When the ids are erased while those saves run
            await store.EraseAsync(ids, T0.AddDays(30));
            erased.SetResult();
            await Task.WhenAll(saving);

            // Then no save in flight wrote any of them back
            Assert.Empty(await store.LoadAsync(ids));
            Assert.Equal(0, await store.CountAsync());
        }
    }

    protected async Task Profiles_without_identity_load_with_none()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("x"), 1)]);

        Assert.Null((await store.LoadAsync(["u1"]))["u1"].Identity);
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class SqliteIdentityStoreTests : IdentityStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override async Task<IProfileStore> CreateStoreAsync()
    {
        var store = new SqliteProfileStore(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"), Clock);
        await store.InitializeAsync();
        return store;
    }

    [Fact] public Task Sqlite_a_merge_writes_both_profiles_their_identities_and_the_record_together() => A_merge_writes_both_profiles_their_identities_and_the_record_together();
    [Fact] public Task Sqlite_a_merge_over_a_newer_stored_version_writes_nothing() => A_merge_over_a_newer_stored_version_writes_nothing();
    [Fact] public Task Sqlite_the_same_merge_id_is_recorded_once() => The_same_merge_id_is_recorded_once();
    [Fact] public Task Sqlite_merges_written_at_the_same_time_succeed_or_fail_each_on_its_own() => Merges_written_at_the_same_time_succeed_or_fail_each_on_its_own();
    [Fact] public Task Sqlite_an_undone_merge_is_marked_and_cannot_be_undone_twice() => An_undone_merge_is_marked_and_cannot_be_undone_twice();
    [Fact] public Task Sqlite_merge_records_are_found_by_either_side() => Merge_records_are_found_by_either_side();
    [Fact] public Task Sqlite_erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids() => Erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids();
    [Fact] public Task Sqlite_a_save_never_writes_a_quarantined_id_until_the_quarantine_ends() => A_save_never_writes_a_quarantined_id_until_the_quarantine_ends();
    [Fact] public Task Sqlite_a_row_left_for_a_quarantined_id_does_not_load() => A_row_left_for_a_quarantined_id_does_not_load();
    [Fact] public Task Sqlite_an_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind() => An_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind();
    [Fact] public Task Sqlite_profiles_without_identity_load_with_none() => Profiles_without_identity_load_with_none();

    public void Dispose() => _dir.Dispose();
}

public sealed class PostgresIdentityStoreTests : IdentityStoreContract
{
    protected override async Task<IProfileStore> CreateStoreAsync()
    {
        var store = new PostgresProfileStore(await TestDatabases.CreatePostgresDatabaseAsync(), Clock);
        await store.InitializeAsync();
        return store;
    }

    [PostgresFact] public Task Postgres_a_merge_writes_both_profiles_their_identities_and_the_record_together() => A_merge_writes_both_profiles_their_identities_and_the_record_together();
    [PostgresFact] public Task Postgres_a_merge_over_a_newer_stored_version_writes_nothing() => A_merge_over_a_newer_stored_version_writes_nothing();
    [PostgresFact] public Task Postgres_the_same_merge_id_is_recorded_once() => The_same_merge_id_is_recorded_once();
    [PostgresFact] public Task Postgres_merges_written_at_the_same_time_succeed_or_fail_each_on_its_own() => Merges_written_at_the_same_time_succeed_or_fail_each_on_its_own();
    [PostgresFact] public Task Postgres_an_undone_merge_is_marked_and_cannot_be_undone_twice() => An_undone_merge_is_marked_and_cannot_be_undone_twice();
    [PostgresFact] public Task Postgres_merge_records_are_found_by_either_side() => Merge_records_are_found_by_either_side();
    [PostgresFact] public Task Postgres_erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids() => Erasure_deletes_profiles_and_merge_records_and_quarantines_the_ids();
    [PostgresFact] public Task Postgres_a_save_never_writes_a_quarantined_id_until_the_quarantine_ends() => A_save_never_writes_a_quarantined_id_until_the_quarantine_ends();
    [PostgresFact] public Task Postgres_a_row_left_for_a_quarantined_id_does_not_load() => A_row_left_for_a_quarantined_id_does_not_load();
    [PostgresFact] public Task Postgres_an_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind() => An_erasure_racing_saves_of_the_same_ids_leaves_no_profile_behind();
    [PostgresFact] public Task Postgres_profiles_without_identity_load_with_none() => Profiles_without_identity_load_with_none();
}
