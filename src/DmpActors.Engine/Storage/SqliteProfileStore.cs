using DmpActors.Domain.Identity;
using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Storage;

/// <summary>
/// SQLite profile store: WAL journal, synchronous=FULL, one writer at a time (SQLite allows no more),
/// readers concurrent with the writer.
/// </summary>
public sealed partial class SqliteProfileStore : IProfileStore
{
    private const int MaxIdsPerQuery = 500;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<QueuedMerge> _mergeQueue = new();
    private readonly TimeProvider _clock;

    public SqliteProfileStore(string databaseFile, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        var directory = Path.GetDirectoryName(Path.GetFullPath(databaseFile));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databaseFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Description = $"sqlite:{Path.GetFullPath(databaseFile)}";
    }

    public string Description { get; }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        // Profiles and merge records hold kilobyte blobs, so they are rowid tables: in a WITHOUT ROWID table every
        // b-tree cell carries the whole row, rows of this size spill to overflow pages that are read past the page
        // cache, and lookups and upserts cost several times more (ingest 30.6K -> 41.6K ev/s, docs/benchmarks.md).
        command.CommandText = $"""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS profiles({ProfileColumns});
            CREATE TABLE IF NOT EXISTS sequences(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS merges({MergeColumns});
            CREATE TABLE IF NOT EXISTS quarantine(key TEXT PRIMARY KEY, until_ms INTEGER NOT NULL) WITHOUT ROWID;
            """;
        await command.ExecuteNonQueryAsync(ct);
        // Databases created before identity stitching have no identity column yet.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('profiles') WHERE name = 'identity'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(ct)) == 0)
        {
            command.CommandText = "ALTER TABLE profiles ADD COLUMN identity BLOB";
            await command.ExecuteNonQueryAsync(ct);
        }
        await MoveToRowidTableAsync(connection, "profiles", ProfileColumns, ct);
        await MoveToRowidTableAsync(connection, "merges", MergeColumns, ct);
        command.CommandText = """
            CREATE INDEX IF NOT EXISTS merges_by_survivor ON merges(survivor_id);
            CREATE INDEX IF NOT EXISTS merges_by_absorbed ON merges(absorbed_id);
            """;
        await command.ExecuteNonQueryAsync(ct);
        await CreateMemberIndexAsync(connection, ct);
        await CreateTimerIndexAsync(connection, ct);
    }

    private const string ProfileColumns = "id TEXT PRIMARY KEY, state BLOB NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL, identity BLOB";

    private const string MergeColumns = "merge_id TEXT PRIMARY KEY, survivor_id TEXT NOT NULL, absorbed_id TEXT NOT NULL, "
        + "at_ms INTEGER NOT NULL, trigger_event_id TEXT NOT NULL, undone_at_ms INTEGER, payload BLOB NOT NULL";

    /// <summary>
    /// Databases written before 2026-11-23 keep profiles and merges in WITHOUT ROWID tables: they are copied into
    /// rowid tables with the same columns in one transaction (a crash leaves the old table as it was). Runs once.
    /// </summary>
    private static async Task MoveToRowidTableAsync(SqliteConnection connection, string table, string columns, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        if (await command.ExecuteScalarAsync(ct) is not string sql || !sql.Contains("WITHOUT ROWID", StringComparison.OrdinalIgnoreCase)) return;
        command.Parameters.Clear();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        command.Transaction = tx;
        var names = string.Join(", ", columns.Split(',').Select(c => c.Trim().Split(' ')[0]));
        command.CommandText = $"""
            CREATE TABLE {table}_rowid({columns});
            INSERT INTO {table}_rowid({names}) SELECT {names} FROM {table};
            DROP TABLE {table};
            ALTER TABLE {table}_rowid RENAME TO {table};
            """;
        await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await using (var connection = await OpenAsync(ct))
        {
            foreach (var chunk in ids.Chunk(MaxIdsPerQuery))
            {
                await using var command = connection.CreateCommand();
                var names = new string[chunk.Length];
                for (var i = 0; i < chunk.Length; i++)
                {
                    names[i] = "$p" + i;
                    command.Parameters.AddWithValue(names[i], chunk[i]);
                }
                command.CommandText = $"SELECT id, state, version, identity FROM profiles WHERE id IN ({string.Join(',', names)})";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    found[reader.GetString(0)] = reader.ReadProfile();
            }
        }
        return await this.WithoutQuarantinedAsync(found, _clock, ct);
    }

    /// <summary>Row by row in one transaction. A row the database refuses for its data fails only its own statement
    /// (SQLite backs out that statement and keeps the transaction), so it is reported and the others commit.</summary>
    public async Task<SaveResult> SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return SaveResult.AllWritten;
        var stale = new List<string>();
        var rejected = new List<RejectedRow>();
        await WriteAsync(async (connection, tx) =>
        {
            await using var upsert = new ProfileUpsert(connection, tx, _clock.GetUtcNow());
            foreach (var profile in profiles)
            {
                try
                {
                    if (await upsert.RunAsync(profile, ct) == 0 && !await upsert.IsQuarantinedAsync(profile, ct)) stale.Add(profile.Id);
                }
                catch (SqliteException e) when (RefusesTheRow(e) && StillInTransaction(connection))
                {
                    rejected.Add(new RejectedRow(profile.Id, e.Message));
                }
            }
        }, ct);
        return stale.Count == 0 && rejected.Count == 0 ? SaveResult.AllWritten : new SaveResult(stale, rejected);
    }

    /// <summary>Errors about the row's data, which every retry would meet again: a constraint (or a trigger's
    /// RAISE(ABORT)), a value too big, a type mismatch. Busy, locked, full and I/O errors are not among them.</summary>
    private static bool RefusesTheRow(SqliteException e) =>
        (e.SqliteErrorCode & 0xFF) is SQLitePCL.raw.SQLITE_CONSTRAINT or SQLitePCL.raw.SQLITE_TOOBIG or SQLitePCL.raw.SQLITE_MISMATCH;

    /// <summary>Some errors make SQLite roll the whole transaction back; then nothing of the batch can commit.</summary>
    private static bool StillInTransaction(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    /// <summary>
    /// Group commit: merges that arrive while the writer is busy are written together by whichever caller gets the
    /// writer next, in arrival order, one transaction with a savepoint per merge. Each merge is still all or nothing
    /// and fails on its own (a stale version, a recorded merge id); SQLite's synchronous commit is then paid once per
    /// batch instead of once per merge.
    /// </summary>
    public async Task SaveMergeAsync(StoredProfile survivor, StoredProfile absorbed, StoredMerge merge, CancellationToken ct = default)
    {
        var queued = new QueuedMerge(survivor, absorbed, merge);
        _mergeQueue.Enqueue(queued);
        try
        {
            await _writer.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (queued.TryCancel())
        {
            throw; // not claimed by a writer: it will never be written
        }
        catch (OperationCanceledException)
        {
            await queued.Written.Task; // another caller is writing it: its outcome stands
            return;
        }
        try
        {
            if (!queued.Written.Task.IsCompleted) await WriteQueuedMergesAsync(CancellationToken.None);
        }
        finally
        {
            _writer.Release();
        }
        await queued.Written.Task;
    }

    private sealed record QueuedMerge(StoredProfile Survivor, StoredProfile Absorbed, StoredMerge Merge)
    {
        private int _state; // 0 queued, 1 claimed by a writer, 2 cancelled by its caller

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
    }

    /// <summary>Writes every queued merge; the caller holds the writer.</summary>
    private async Task WriteQueuedMergesAsync(CancellationToken ct)
    {
        var batch = new List<QueuedMerge>();
        while (_mergeQueue.TryDequeue(out var queued))
            if (queued.TryClaim()) batch.Add(queued);
        var failures = new Exception?[batch.Count];
        try
        {
            await InTransactionAsync(async (connection, tx) =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    await tx.SaveAsync("merge", ct);
                    try
                    {
                        await WriteMergeAsync(connection, tx, batch[i], ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        await tx.RollbackAsync("merge", ct);
                        failures[i] = e;
                    }
                    await tx.ReleaseAsync("merge", ct);
                }
            }, ct);
        }
        catch (Exception e)
        {
            // Nothing of the batch is stored: every merge fails, with its own error where it had one.
            for (var i = 0; i < batch.Count; i++) batch[i].Written.TrySetException(failures[i] ?? e);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure) batch[i].Written.TrySetException(failure);
            else batch[i].Written.TrySetResult();
        }
    }

    /// <summary>One merge: both profiles (neither over a newer stored version) and the merge record, or its undo.</summary>
    private async Task WriteMergeAsync(SqliteConnection connection, SqliteTransaction tx, QueuedMerge queued, CancellationToken ct)
    {
        var (survivor, absorbed, merge) = (queued.Survivor, queued.Absorbed, queued.Merge);
        await using (var upsert = new ProfileUpsert(connection, tx, _clock.GetUtcNow()))
        {
            foreach (var profile in new[] { survivor, absorbed })
            {
                if (await upsert.RunAsync(profile, ct) != 1) throw new StaleProfileException(profile.Id);
            }
        }
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.Parameters.AddWithValue("$merge", merge.MergeId);
        if (merge.UndoneAt is { } undone)
        {
            command.CommandText = "UPDATE merges SET undone_at_ms = $undone WHERE merge_id = $merge AND undone_at_ms IS NULL";
            command.Parameters.AddWithValue("$undone", undone.ToUnixTimeMilliseconds());
            if (await command.ExecuteNonQueryAsync(ct) != 1) throw new InvalidOperationException($"merge {merge.MergeId} is not recorded or already undone");
            return;
        }
        command.CommandText = """
            INSERT INTO merges(merge_id, survivor_id, absorbed_id, at_ms, trigger_event_id, payload)
            VALUES($merge, $survivor, $absorbed, $at, $trigger, $payload)
            """;
        command.Parameters.AddWithValue("$survivor", merge.SurvivorId);
        command.Parameters.AddWithValue("$absorbed", merge.AbsorbedId);
        command.Parameters.AddWithValue("$at", merge.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$trigger", merge.TriggerEventId);
        command.Parameters.AddWithValue("$payload", merge.Payload);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredMerge?> LoadMergeAsync(string mergeId, CancellationToken ct = default) =>
        (await QueryMergesAsync("merge_id = $p0", [mergeId], ct)).SingleOrDefault();

    public async Task<IReadOnlyList<StoredMerge>> LoadMergesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        var list = string.Join(',', ids.Select((_, i) => "$p" + i));
        return await QueryMergesAsync($"survivor_id IN ({list}) OR absorbed_id IN ({list})", ids.ToArray(), ct);
    }

    private async Task<IReadOnlyList<StoredMerge>> QueryMergesAsync(string where, string[] values, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT merge_id, survivor_id, absorbed_id, at_ms, trigger_event_id, payload, undone_at_ms FROM merges WHERE {where} ORDER BY at_ms, merge_id";
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$p" + i, values[i]);
        var merges = new List<StoredMerge>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            merges.Add(new StoredMerge(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4), (byte[])reader.GetValue(5),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }
        return merges;
    }

    public Task EraseAsync(IReadOnlyCollection<string> ids, DateTimeOffset quarantineUntil, CancellationToken ct = default) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM quarantine WHERE until_ms <= $now";
            command.Parameters.AddWithValue("$now", _clock.GetUtcNow().ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(ct);
            command.CommandText = """
                DELETE FROM profiles WHERE id = $id;
                DELETE FROM segment_members WHERE user_id = $id;
                DELETE FROM user_timers WHERE user_id = $id;
                DELETE FROM merges WHERE survivor_id = $id OR absorbed_id = $id;
                INSERT INTO quarantine(key, until_ms) VALUES($key, $until) ON CONFLICT(key) DO UPDATE SET until_ms = max(until_ms, excluded.until_ms);
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var key = command.Parameters.Add("$key", SqliteType.Text);
            command.Parameters.AddWithValue("$until", quarantineUntil.ToUnixTimeMilliseconds());
            foreach (var erased in ids)
            {
                id.Value = erased;
                key.Value = IdentityHashes.QuarantineKey(erased);
                await command.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LoadQuarantineAsync(IReadOnlyCollection<string> ids, DateTimeOffset now, CancellationToken ct = default)
    {
        var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        var byKey = ids.Distinct().ToDictionary(IdentityHashes.QuarantineKey, id => id);
        await using var connection = await OpenAsync(ct);
        foreach (var chunk in byKey.Keys.Chunk(MaxIdsPerQuery))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT key, until_ms FROM quarantine WHERE until_ms > $now AND key IN ({string.Join(',', chunk.Select((_, i) => "$k" + i))})";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            for (var i = 0; i < chunk.Length; i++) command.Parameters.AddWithValue("$k" + i, chunk[i]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found[byKey[reader.GetString(0)]] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        }
        return found;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; SQLite allows one writer at a time.</summary>
    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await InTransactionAsync(work, ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>One transaction on a fresh connection; the caller holds the writer.</summary>
    private async Task InTransactionAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await work(connection, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>The prepared upsert of one profile row, fenced: with a base version only over exactly that stored
    /// version (no row for 0), without one only over an older or equal version (saves may race after a restart). A
    /// quarantined id is never written.</summary>
    private sealed class ProfileUpsert : IAsyncDisposable
    {
        private readonly SqliteCommand _command, _quarantined;
        private readonly MemberRows _members;
        private readonly TimerRows _timers;
        private readonly SqliteParameter _id, _key, _state, _version, _identity, _base, _quarantineKey;

        public ProfileUpsert(SqliteConnection connection, SqliteTransaction tx, DateTimeOffset now)
        {
            _command = connection.CreateCommand();
            _command.Transaction = tx;
            _command.CommandText = """
                INSERT INTO profiles(id, state, version, updated_at, identity)
                SELECT $id, $state, $version, $at, $identity
                WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE key = $key AND until_ms > $now)
                  AND ($base IS NULL OR $base = 0 OR EXISTS (SELECT 1 FROM profiles WHERE id = $id))
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at, identity = excluded.identity
                WHERE CASE WHEN $base IS NULL THEN excluded.version >= profiles.version ELSE profiles.version = $base END
                """;
            _id = _command.Parameters.Add("$id", SqliteType.Text);
            _key = _command.Parameters.Add("$key", SqliteType.Text);
            _state = _command.Parameters.Add("$state", SqliteType.Blob);
            _version = _command.Parameters.Add("$version", SqliteType.Integer);
            _identity = _command.Parameters.Add("$identity", SqliteType.Blob);
            _base = _command.Parameters.Add("$base", SqliteType.Integer);
            _command.Parameters.AddWithValue("$at", now.ToString("O"));
            _command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            _command.Prepare();
            _quarantined = connection.CreateCommand();
            _quarantined.Transaction = tx;
            _quarantined.CommandText = "SELECT EXISTS (SELECT 1 FROM quarantine WHERE key = $key AND until_ms > $now)";
            _quarantineKey = _quarantined.Parameters.Add("$key", SqliteType.Text);
            _quarantined.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            _members = new MemberRows(connection, tx);
            _timers = new TimerRows(connection, tx);
        }

        /// <returns>Rows written: 0 when the id is quarantined or the version check failed. A written row's member
        /// index rows are replaced by its <see cref="StoredProfile.Segments"/>, when it names them.</returns>
        public async Task<int> RunAsync(StoredProfile profile, CancellationToken ct)
        {
            _id.Value = profile.Id;
            _key.Value = IdentityHashes.QuarantineKey(profile.Id);
            _state.Value = profile.State;
            _version.Value = profile.Version;
            _identity.Value = (object?)profile.Identity ?? DBNull.Value;
            _base.Value = (object?)profile.BaseVersion ?? DBNull.Value;
            var written = await _command.ExecuteNonQueryAsync(ct);
            if (written == 1 && profile.Segments is { } segments) await _members.ReplaceAsync(profile.Id, segments, ct);
            if (written == 1 && profile.Timers is { } timers) await _timers.ReplaceAsync(profile.Id, timers, ct);
            return written;
        }

        /// <summary>Tells a row skipped for quarantine from one that failed its version check.</summary>
        public async Task<bool> IsQuarantinedAsync(StoredProfile profile, CancellationToken ct)
        {
            _quarantineKey.Value = IdentityHashes.QuarantineKey(profile.Id);
            return Convert.ToInt64(await _quarantined.ExecuteScalarAsync(ct)) == 1;
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync();
            await _quarantined.DisposeAsync();
            await _members.DisposeAsync();
            await _timers.DisposeAsync();
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM segment_members WHERE user_id = $id; DELETE FROM user_timers WHERE user_id = $id; DELETE FROM profiles WHERE id = $id; SELECT changes();";
            command.Parameters.AddWithValue("$id", id);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct)) > 0;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM profiles";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task PingAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM profiles LIMIT 1";
        await command.ExecuteScalarAsync(ct);
    }

    public async Task<long> NextSequenceAsync(string name, CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO sequences(name, value) VALUES($name, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1;
                SELECT value FROM sequences WHERE name = $name;
                """;
            command.Parameters.AddWithValue("$name", name);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<long?> ReadSequenceAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM sequences WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? null : Convert.ToInt64(value);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
