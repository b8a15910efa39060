using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Storage;

/// <summary>The same specification, run against every store on a real database.</summary>
public abstract partial class ProfileStoreContract
{
    protected abstract Task<IProfileStore> CreateStoreAsync();

    /// <summary>A store and two ids whose rows it cannot hold, whatever else the batch holds.</summary>
    protected abstract Task<(IProfileStore Store, string[] PoisonIds)> CreateStoreWithPoisonIdsAsync();

    protected static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static StoredProfile Row(string id, string state, long version, long? basedOn) => new(id, Bytes(state), version) { BaseVersion = basedOn };

    private static async Task<Dictionary<string, string>> LoadTextAsync(IProfileStore store, params string[] ids) =>
        (await store.LoadAsync(ids)).ToDictionary(kv => kv.Key, kv => $"{System.Text.Encoding.UTF8.GetString(kv.Value.State)}@{kv.Value.Version}");

    protected async Task Saved_profiles_load_back_and_unknown_ids_are_absent()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("one"), 1), new StoredProfile("u2", Bytes("two"), 3)]);

        var loaded = (await store.LoadAsync(["u1", "u2", "nobody"])).ToDictionary(kv => kv.Key, kv => kv.Value.State);

        Assert.Equal(2, loaded.Count);
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(loaded["u1"]));
        Assert.Equal("two", System.Text.Encoding.UTF8.GetString(loaded["u2"]));
        Assert.Equal(2, await store.CountAsync());
    }

    protected async Task A_lower_version_never_overwrites_a_higher_one()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("v5"), 5)]);
        await store.SaveAsync([new StoredProfile("u1", Bytes("v4"), 4)]);
        await store.SaveAsync([new StoredProfile("u2", Bytes("a"), 1)]);
        await store.SaveAsync([new StoredProfile("u2", Bytes("b"), 2)]);

        var loaded = (await store.LoadAsync(["u1", "u2"])).ToDictionary(kv => kv.Key, kv => kv.Value.State);

        Assert.Equal("v5", System.Text.Encoding.UTF8.GetString(loaded["u1"]));
        Assert.Equal("b", System.Text.Encoding.UTF8.GetString(loaded["u2"]));
    }

    protected async Task A_batch_naming_an_id_twice_keeps_its_highest_version()
    {
        // Given one batch with two saves of the same user (a checkpoint and a merge's re-save can meet in one write)
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("v2"), 2), new StoredProfile("u2", Bytes("x"), 1), new StoredProfile("u1", Bytes("v3"), 3)]);
        await store.SaveAsync([new StoredProfile("u1", Bytes("v5"), 5), new StoredProfile("u1", Bytes("v4"), 4)]);
        await store.SaveAsync([new StoredProfile("u3", Bytes("first"), 1), new StoredProfile("u3", Bytes("second"), 1)]);

        // Then each id holds its highest version (the later of equal ones), as writing them one by one would leave it
        var loaded = (await store.LoadAsync(["u1", "u2", "u3"])).ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(kv.Value.State));
        Assert.Equal("v5", loaded["u1"]);
        Assert.Equal("x", loaded["u2"]);
        Assert.Equal("second", loaded["u3"]);
    }

    protected async Task A_save_based_on_a_version_is_written_only_over_that_version()
    {
        // Given u1 at version 2, written by saves each based on the version before, and u3 created by another writer
        await using var store = await CreateStoreAsync();
        Assert.Equal(SaveResult.AllWritten, await store.SaveAsync([Row("u1", "v1", 1, basedOn: 0), Row("u3", "other", 1, basedOn: 0)]));
        Assert.Equal(SaveResult.AllWritten, await store.SaveAsync([Row("u1", "v2", 2, basedOn: 1)]));

        // When one batch holds a save based on a version that is no longer stored, one based on a row that does not
        // exist, one that expects no row where there is one, and one good save
        var result = await store.SaveAsync([Row("u1", "lost", 3, basedOn: 1), Row("u2", "gone", 5, basedOn: 4),
            Row("u3", "mine", 1, basedOn: 0), Row("u4", "new", 1, basedOn: 0)]);

        // Then the three are reported stale and leave the stored rows alone, and the good one commits
        Assert.Equal(["u1", "u2", "u3"], result.Stale);
        Assert.Empty(result.Rejected);
        Assert.Equal(new Dictionary<string, string> { ["u1"] = "v2@2", ["u3"] = "other@1", ["u4"] = "new@1" },
            await LoadTextAsync(store, "u1", "u2", "u3", "u4"));
    }

    protected async Task A_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("v5"), 5)]);

        var older = await store.SaveAsync([new StoredProfile("u1", Bytes("v4"), 4), new StoredProfile("u2", Bytes("a"), 1)]);
        var same = await store.SaveAsync([new StoredProfile("u1", Bytes("v5 again"), 5)]);

        Assert.Equal(["u1"], older.Stale);
        Assert.Equal(SaveResult.AllWritten, same);
        Assert.Equal(new Dictionary<string, string> { ["u1"] = "v5 again@5", ["u2"] = "a@1" }, await LoadTextAsync(store, "u1", "u2"));
    }

    protected async Task Rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left()
    {
        await using var store = await CreateStoreAsync();

        var result = await store.SaveAsync([Row("u1", "v1", 1, basedOn: 0), Row("u2", "x", 1, basedOn: 0), Row("u1", "v2", 2, basedOn: 1),
            Row("u1", "lost", 3, basedOn: 1), Row("u1", "v3", 3, basedOn: 2), Row("u2", "y", 2, basedOn: null)]);

        Assert.Equal(["u1"], result.Stale);
        Assert.Equal(new Dictionary<string, string> { ["u1"] = "v3@3", ["u2"] = "y@2" }, await LoadTextAsync(store, "u1", "u2"));
    }

    protected async Task Rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits()
    {
        // Given a batch of a thousand rows, two of which the database refuses for their data
        var (store, poison) = await CreateStoreWithPoisonIdsAsync();
        await using var _ = store;
        var rows = Enumerable.Range(0, 1000).Select(i => new StoredProfile($"user-{i}", Bytes($"state-{i}"), 1)).ToList();
        rows.Insert(637, new StoredProfile(poison[0], Bytes("bad"), 1));
        rows.Insert(900, new StoredProfile(poison[1], Bytes("bad"), 1) { BaseVersion = 0 });

        // When it is saved
        var result = await store.SaveAsync(rows);

        // Then the two are reported with the database's reason, and every other row is stored
        Assert.Equal(poison, result.Rejected.Select(r => r.Id));
        Assert.All(result.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Empty(result.Stale);
        var good = rows.Select(r => r.Id).Except(poison).ToList();
        Assert.Equal(1000, (await store.LoadAsync(good)).Count);
        Assert.Equal(1000, await store.CountAsync());

        // And the next batch is not held back by them
        Assert.Equal(SaveResult.AllWritten, await store.SaveAsync([new StoredProfile("user-0", Bytes("again"), 2)]));
    }

    protected async Task Large_batches_commit_together_and_load_in_one_call()
    {
        await using var store = await CreateStoreAsync();
        var rows = Enumerable.Range(0, 12_000).Select(i => new StoredProfile($"user-{i}", Bytes($"state-{i}"), 1)).ToList();

        await store.SaveAsync(rows);
        var loaded = await store.LoadAsync(rows.Select(r => r.Id).ToList());

        Assert.Equal(12_000, loaded.Count);
        Assert.Equal("state-11999", System.Text.Encoding.UTF8.GetString(loaded["user-11999"].State));
    }

    protected async Task Delete_removes_one_profile()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([new StoredProfile("u1", Bytes("x"), 1), new StoredProfile("u2", Bytes("y"), 1)]);

        Assert.True(await store.DeleteAsync("u1"));
        Assert.False(await store.DeleteAsync("u1"));
        Assert.Equal(["u2"], (await store.LoadAsync(["u1", "u2"])).Keys);
    }

    protected async Task Sequences_count_up_durably()
    {
        await using var store = await CreateStoreAsync();
        Assert.Null(await store.ReadSequenceAsync("g"));
        Assert.Equal(1, await store.NextSequenceAsync("g"));
        Assert.Equal(2, await store.NextSequenceAsync("g"));
        Assert.Equal(2, await store.ReadSequenceAsync("g"));
    }
}

public sealed class SqliteProfileStoreTests : ProfileStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override async Task<IProfileStore> CreateStoreAsync()
    {
        var store = new SqliteProfileStore(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        await store.InitializeAsync();
        return store;
    }

    [Fact] public Task Sqlite_saved_profiles_load_back_and_unknown_ids_are_absent() => Saved_profiles_load_back_and_unknown_ids_are_absent();
    [Fact] public Task Sqlite_a_lower_version_never_overwrites_a_higher_one() => A_lower_version_never_overwrites_a_higher_one();
    [Fact] public Task Sqlite_large_batches_commit_together() => Large_batches_commit_together_and_load_in_one_call();
    [Fact] public Task Sqlite_a_batch_naming_an_id_twice_keeps_its_highest_version() => A_batch_naming_an_id_twice_keeps_its_highest_version();
    [Fact] public Task Sqlite_delete_removes_one_profile() => Delete_removes_one_profile();
    [Fact] public Task Sqlite_sequences_count_up_durably() => Sequences_count_up_durably();
    [Fact] public Task Sqlite_a_save_based_on_a_version_is_written_only_over_that_version() => A_save_based_on_a_version_is_written_only_over_that_version();
    [Fact] public Task Sqlite_a_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale() => A_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale();
    [Fact] public Task Sqlite_rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left() => Rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left();
    [Fact] public Task Sqlite_rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits() => Rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits();
    [Fact] public Task Sqlite_members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows() => Members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows();
    [Fact] public Task Sqlite_due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early() => Due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early();
    [Fact] public Task Sqlite_erasure_and_deletion_remove_a_users_timers() => Erasure_and_deletion_remove_a_users_timers();
    [Fact] public Task Sqlite_member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change() => Member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change();
    [Fact] public Task Sqlite_erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows() => Erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows();
    [Fact] public Task Sqlite_a_scan_of_ids_visits_every_stored_profile_once_in_pages() => A_scan_of_ids_visits_every_stored_profile_once_in_pages();

    /// <summary>SQLite stores any text, so a trigger stands in for a row the database refuses (a constraint error).</summary>
    protected override async Task<(IProfileStore Store, string[] PoisonIds)> CreateStoreWithPoisonIdsAsync()
    {
        var file = Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db");
        var store = new SqliteProfileStore(file);
        await store.InitializeAsync();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TRIGGER refuse_poison BEFORE INSERT ON profiles WHEN NEW.id LIKE 'poison-%' BEGIN SELECT RAISE(ABORT, 'poison row'); END";
        await command.ExecuteNonQueryAsync();
        return (store, ["poison-1", "poison-2"]);
    }

    [Fact]
    public async Task Sqlite_data_survives_reopening_the_file()
    {
        var file = Path.Combine(_dir.Path, "reopen.db");
        await using (var first = new SqliteProfileStore(file))
        {
            await first.InitializeAsync();
            await first.SaveAsync([new StoredProfile("u1", [1, 2, 3], 1)]);
        }
        await using var second = new SqliteProfileStore(file);
        await second.InitializeAsync();

        Assert.Equal([1, 2, 3], (await second.LoadAsync(["u1"]))["u1"].State);
    }

    [Fact]
    public async Task Sqlite_a_database_in_the_old_layout_gains_the_identity_column_moves_to_rowid_tables_and_keeps_every_row()
    {
        // Given a file in the layout of earlier builds: WITHOUT ROWID profiles (before the identity column) and merges
        var file = Path.Combine(_dir.Path, "old-layout.db");
        await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE profiles(id TEXT PRIMARY KEY, state BLOB NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE merges(merge_id TEXT PRIMARY KEY, survivor_id TEXT NOT NULL, absorbed_id TEXT NOT NULL,
                    at_ms INTEGER NOT NULL, trigger_event_id TEXT NOT NULL, undone_at_ms INTEGER, payload BLOB NOT NULL) WITHOUT ROWID;
                CREATE INDEX merges_by_survivor ON merges(survivor_id);
                INSERT INTO profiles VALUES('u1', x'010203', 7, '2026-11-01T00:00:00Z'), ('u2', x'0405', 3, '2026-11-01T00:00:00Z');
                INSERT INTO merges VALUES('m1', 'u1', 'anon-1', 1764000000000, 'login', NULL, x'09');
                """;
            await create.ExecuteNonQueryAsync();
        }

        // When a store opens it (twice: the move happens once)
        for (var open = 0; open < 2; open++)
        {
            await using var store = new SqliteProfileStore(file);
            await store.InitializeAsync();

            // Then every row is there, and new writes work
            var loaded = await store.LoadAsync(["u1", "u2"]);
            Assert.Equal(open == 0 ? "010203@7" : "08@8", $"{Convert.ToHexString(loaded["u1"].State)}@{loaded["u1"].Version}");
            Assert.Equal("0405@3", $"{Convert.ToHexString(loaded["u2"].State)}@{loaded["u2"].Version}");
            Assert.Null(loaded["u2"].Identity); // written before identity stitching: the column was added empty
            var merge = await store.LoadMergeAsync("m1");
            Assert.Equal(("u1", "anon-1", "login"), (merge!.SurvivorId, merge.AbsorbedId, merge.TriggerEventId));
            Assert.Single(await store.LoadMergesAsync(["u1"]));
            await store.SaveAsync([new StoredProfile("u1", [8], 8, [1])]);
            Assert.Equal([1], (await store.LoadAsync(["u1"]))["u1"].Identity);
        }

        // And both tables are rowid tables now, with the merge indexes back
        await using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        await check.OpenAsync();
        await using var query = check.CreateCommand();
        query.CommandText = "SELECT group_concat(name || ':' || (sql LIKE '%WITHOUT ROWID%'), ' ') FROM sqlite_master WHERE name IN ('profiles', 'merges', 'merges_by_survivor', 'merges_by_absorbed') ORDER BY name";
        var layout = (string)(await query.ExecuteScalarAsync())!;
        Assert.Contains("profiles:0", layout);
        Assert.Contains("merges:0", layout);
        Assert.Contains("merges_by_survivor:0", layout);
        Assert.Contains("merges_by_absorbed:0", layout);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class PostgresProfileStoreTests : ProfileStoreContract
{
    protected override async Task<IProfileStore> CreateStoreAsync()
    {
        var store = new PostgresProfileStore(await TestDatabases.CreatePostgresDatabaseAsync());
        await store.InitializeAsync();
        return store;
    }

    [PostgresFact] public Task Postgres_saved_profiles_load_back_and_unknown_ids_are_absent() => Saved_profiles_load_back_and_unknown_ids_are_absent();
    [PostgresFact] public Task Postgres_a_lower_version_never_overwrites_a_higher_one() => A_lower_version_never_overwrites_a_higher_one();
    [PostgresFact] public Task Postgres_large_batches_commit_together() => Large_batches_commit_together_and_load_in_one_call();
    [PostgresFact] public Task Postgres_a_batch_naming_an_id_twice_keeps_its_highest_version() => A_batch_naming_an_id_twice_keeps_its_highest_version();
    [PostgresFact] public Task Postgres_delete_removes_one_profile() => Delete_removes_one_profile();
    [PostgresFact] public Task Postgres_sequences_count_up_durably() => Sequences_count_up_durably();
    [PostgresFact] public Task Postgres_a_save_based_on_a_version_is_written_only_over_that_version() => A_save_based_on_a_version_is_written_only_over_that_version();
    [PostgresFact] public Task Postgres_a_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale() => A_save_without_a_base_version_that_loses_to_a_newer_one_is_reported_stale();
    [PostgresFact] public Task Postgres_rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left() => Rows_of_one_id_in_a_batch_apply_in_order_each_fenced_by_what_the_one_before_left();
    [PostgresFact] public Task Postgres_rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits() => Rows_the_database_cannot_hold_are_rejected_and_the_rest_of_their_batch_commits();
    [PostgresFact] public Task Postgres_members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows() => Members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows();
    [PostgresFact] public Task Postgres_due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early() => Due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early();
    [PostgresFact] public Task Postgres_erasure_and_deletion_remove_a_users_timers() => Erasure_and_deletion_remove_a_users_timers();
    [PostgresFact] public Task Postgres_member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change() => Member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change();
    [PostgresFact] public Task Postgres_erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows() => Erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows();
    [PostgresFact] public Task Postgres_a_scan_of_ids_visits_every_stored_profile_once_in_pages() => A_scan_of_ids_visits_every_stored_profile_once_in_pages();

    [PostgresFact]
    public async Task Postgres_an_error_that_is_not_about_the_data_fails_the_whole_save_instead_of_rejecting_rows()
    {
        // Given stored rows, one of them locked by another transaction, and a store whose statements give up after
        // 300 ms (SQLSTATE 57014, query cancelled: the same save may well succeed later)
        var database = await TestDatabases.CreatePostgresDatabaseAsync();
        await using var store = new PostgresProfileStore(database);
        await store.InitializeAsync();
        var ids = Enumerable.Range(0, 1000).Select(i => $"user-{i}").ToList();
        await store.SaveAsync(ids.Select(id => new StoredProfile(id, Bytes("v1"), 1)).ToList());
        await using var blocker = new Npgsql.NpgsqlConnection(database);
        await blocker.OpenAsync();
        await using var lockTx = await blocker.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM dmp_profiles WHERE id = 'user-500' FOR UPDATE", blocker, lockTx))
            await lockRow.ExecuteNonQueryAsync();
        await using var impatient = new PostgresProfileStore(database + ";Options=-c statement_timeout=300");

        // When it saves a new version of every row, then the save throws and writes nothing: no row is blamed
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => impatient.SaveAsync(ids.Select(id => new StoredProfile(id, Bytes("v2"), 2)).ToList()));
        Assert.Equal("57014", error.SqlState);
        await lockTx.RollbackAsync();
        Assert.All((await store.LoadAsync(ids)).Values, p => Assert.Equal(1, p.Version));
    }

    /// <summary>PostgreSQL text cannot hold a NUL character (SQLSTATE 22021, a data exception).</summary>
    protected override async Task<(IProfileStore Store, string[] PoisonIds)> CreateStoreWithPoisonIdsAsync() =>
        (await CreateStoreAsync(), ["poison\0one", "poison\0two"]);
}
