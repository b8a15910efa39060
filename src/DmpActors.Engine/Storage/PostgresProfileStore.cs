using DmpActors.Domain.Identity;
using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Storage;

/// <summary>PostgreSQL profile store: batched upserts through unnest() arrays, one round trip per chunk.</summary>
public sealed partial class PostgresProfileStore : IProfileStore
{
    private const int RowsPerStatement = 5000;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;

    public PostgresProfileStore(string connectionString, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public string Description { get; }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS dmp_profiles(id text PRIMARY KEY, state bytea NOT NULL, version bigint NOT NULL, updated_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS dmp_sequences(name text PRIMARY KEY, value bigint NOT NULL);
            ALTER TABLE dmp_profiles ADD COLUMN IF NOT EXISTS identity bytea;
            ALTER TABLE dmp_profiles ADD COLUMN IF NOT EXISTS base_version bigint;
            CREATE TABLE IF NOT EXISTS dmp_merges(merge_id text PRIMARY KEY, survivor_id text NOT NULL, absorbed_id text NOT NULL,
                at timestamptz NOT NULL, trigger_event_id text NOT NULL, undone_at timestamptz, payload bytea NOT NULL);
            CREATE INDEX IF NOT EXISTS dmp_merges_by_survivor ON dmp_merges(survivor_id);
            CREATE INDEX IF NOT EXISTS dmp_merges_by_absorbed ON dmp_merges(absorbed_id);
            CREATE TABLE IF NOT EXISTS dmp_quarantine(key text PRIMARY KEY, until timestamptz NOT NULL);
            """ + MemberIndexSchema + TimerIndexSchema);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await using (var command = _dataSource.CreateCommand("SELECT id, state, version, identity FROM dmp_profiles WHERE id = ANY(@ids)"))
        {
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                found[reader.GetString(0)] = reader.ReadProfile();
        }
        return await this.WithoutQuarantinedAsync(found, _clock, ct);
    }

    public async Task<SaveResult> SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return SaveResult.AllWritten;
        var unwritten = new List<string>();
        var rejected = new List<RejectedRow>();
        IReadOnlyList<string> stale = [];
        await WriteAsync(async (connection, tx) =>
        {
            await SaveRowsAsync(connection, tx, profiles, unwritten, rejected, ct);
            stale = await WithoutQuarantinedAsync(connection, tx, unwritten, ct);
        }, ErasureLock.Shared, ct);
        return stale.Count == 0 && rejected.Count == 0 ? SaveResult.AllWritten : new SaveResult(stale, rejected);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> under a savepoint. When the database refuses a row for its data (SQLSTATE class
    /// 22 data exception, 23 integrity, 54 limit exceeded: every retry would fail the same way), the statement fails
    /// for all of them: back to the savepoint, and each half is tried on its own until the refused rows stand alone.
    /// The ids of rows not written go to <paramref name="unwritten"/>.
    /// </summary>
    private async Task SaveRowsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<StoredProfile> rows,
        List<string> unwritten, List<RejectedRow> rejected, CancellationToken ct)
    {
        const string savepoint = "rows";
        var unwrittenBefore = unwritten.Count;
        await tx.SaveAsync(savepoint, ct);
        try
        {
            foreach (var round in InRounds(rows))
                foreach (var chunk in round.Order(ById).Chunk(RowsPerStatement))
                {
                    var written = await UpsertAsync(connection, tx, chunk, ct);
                    unwritten.AddRange(chunk.Where(p => !written.Contains(p.Id)).Select(p => p.Id));
                }
            await tx.ReleaseAsync(savepoint, ct);
        }
        catch (PostgresException e) when (e.SqlState[..2] is "22" or "23" or "54")
        {
            await tx.RollbackAsync(savepoint, ct);
            await tx.ReleaseAsync(savepoint, ct);
            unwritten.RemoveRange(unwrittenBefore, unwritten.Count - unwrittenBefore);
            if (rows.Count == 1)
            {
                rejected.Add(new RejectedRow(rows[0].Id, $"{e.SqlState}: {e.MessageText}"));
                return;
            }
            var half = rows.Count / 2;
            await SaveRowsAsync(connection, tx, rows.Take(half).ToList(), unwritten, rejected, ct);
            await SaveRowsAsync(connection, tx, rows.Skip(half).ToList(), unwritten, rejected, ct);
        }
    }

    /// <summary>
    /// Splits a batch into rounds in which each id appears once, the n-th row of an id in the n-th round: a statement
    /// may not touch a row twice (PostgreSQL error 21000), and running the rounds in order applies each id's rows in
    /// order, each fenced against what the one before left.
    /// </summary>
    private static readonly Comparer<StoredProfile> ById = Comparer<StoredProfile>.Create((a, b) => string.CompareOrdinal(a.Id, b.Id));

    private static List<IReadOnlyList<StoredProfile>> InRounds(IReadOnlyList<StoredProfile> rows)
    {
        var seen = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        var rounds = new List<List<StoredProfile>>();
        foreach (var row in rows)
        {
            var round = seen.TryGetValue(row.Id, out var earlier) ? earlier : 0;
            seen[row.Id] = round + 1;
            if (round == rounds.Count) rounds.Add(new List<StoredProfile>(round == 0 ? rows.Count : 4));
            rounds[round].Add(row);
        }
        return rounds.Count == 1 ? [rows] : [.. rounds];
    }

    /// <summary>The ids of <paramref name="ids"/> not in quarantine: a row skipped for quarantine is not stale. The
    /// shared erasure lock is held, so quarantine cannot have changed since the rows were written.</summary>
    private async Task<IReadOnlyList<string>> WithoutQuarantinedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return ids;
        var quarantined = new HashSet<string>(StringComparer.Ordinal);
        var byKey = ids.Distinct().ToDictionary(IdentityHashes.QuarantineKey, id => id);
        await using var command = new NpgsqlCommand("SELECT key FROM dmp_quarantine WHERE until > @now AND key = ANY(@keys)", connection, tx);
        command.Parameters.AddWithValue("now", _clock.GetUtcNow());
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = byKey.Keys.ToArray() });
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) quarantined.Add(byKey[reader.GetString(0)]);
        return quarantined.Count == 0 ? ids : ids.Where(id => !quarantined.Contains(id)).ToList();
    }

    /// <summary>
    /// Writes rows of distinct ids (and the member index rows of those written), each fenced: with a base version only over exactly that stored version (no row for
    /// 0), without one only over an older or equal version (saves may race after a restart). A quarantined id is
    /// never written. Returns the ids written. The base version travels in its own column because ON CONFLICT can
    /// only compare the stored row with the proposed one. Callers pass rows in id order, so concurrent saves of the
    /// same ids lock them in the same order and wait for each other instead of deadlocking.
    /// </summary>
    private async Task<HashSet<string>> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<StoredProfile> chunk, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO dmp_profiles(id, state, version, updated_at, identity, base_version)
            SELECT i, s, v, @now, d, b FROM unnest(@ids, @keys, @states, @versions, @identities, @bases) AS t(i, k, s, v, d, b)
            WHERE NOT EXISTS (SELECT 1 FROM dmp_quarantine q WHERE q.key = t.k AND q.until > @now)
              AND (t.b IS NULL OR t.b = 0 OR EXISTS (SELECT 1 FROM dmp_profiles p WHERE p.id = t.i))
            ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at,
                identity = excluded.identity, base_version = excluded.base_version
            WHERE CASE WHEN excluded.base_version IS NULL THEN excluded.version >= dmp_profiles.version
                  ELSE dmp_profiles.version = excluded.base_version END
            RETURNING id
            """, connection, tx);
        var rows = chunk.ToArray();
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(p => p.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(p => IdentityHashes.QuarantineKey(p.Id)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("states", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.Select(p => p.State).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(p => p.Version).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("identities", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.Select(p => p.Identity).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("bases", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(p => p.BaseVersion).ToArray() });
        command.Parameters.AddWithValue("now", _clock.GetUtcNow());
        var written = new HashSet<string>(rows.Length, StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) written.Add(reader.GetString(0));
        await ReplaceMembersAsync(connection, tx, rows, written, ct);
        await ReplaceTimersAsync(connection, tx, rows, written, ct);
        return written;
    }

    public Task SaveMergeAsync(StoredProfile survivor, StoredProfile absorbed, StoredMerge merge, CancellationToken ct = default) =>
        WriteAsync(async (connection, tx) =>
        {
            foreach (var profile in new[] { survivor, absorbed })
            {
                if ((await UpsertAsync(connection, tx, [profile], ct)).Count != 1) throw new StaleProfileException(profile.Id);
            }
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
            command.Parameters.AddWithValue("merge", merge.MergeId);
            if (merge.UndoneAt is { } undone)
            {
                command.CommandText = "UPDATE dmp_merges SET undone_at = @undone WHERE merge_id = @merge AND undone_at IS NULL";
                command.Parameters.AddWithValue("undone", undone);
                if (await command.ExecuteNonQueryAsync(ct) != 1) throw new InvalidOperationException($"merge {merge.MergeId} is not recorded or already undone");
                return;
            }
            command.CommandText = """
                INSERT INTO dmp_merges(merge_id, survivor_id, absorbed_id, at, trigger_event_id, payload)
                VALUES(@merge, @survivor, @absorbed, @at, @trigger, @payload)
                """;
            command.Parameters.AddWithValue("survivor", merge.SurvivorId);
            command.Parameters.AddWithValue("absorbed", merge.AbsorbedId);
            command.Parameters.AddWithValue("at", merge.At);
            command.Parameters.AddWithValue("trigger", merge.TriggerEventId);
            command.Parameters.AddWithValue("payload", merge.Payload);
            await command.ExecuteNonQueryAsync(ct);
        }, ErasureLock.Shared, ct);

    public async Task<StoredMerge?> LoadMergeAsync(string mergeId, CancellationToken ct = default) =>
        (await QueryMergesAsync("merge_id = ANY(@ids)", [mergeId], ct)).SingleOrDefault();

    public async Task<IReadOnlyList<StoredMerge>> LoadMergesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) =>
        ids.Count == 0 ? [] : await QueryMergesAsync("survivor_id = ANY(@ids) OR absorbed_id = ANY(@ids)", ids.ToArray(), ct);

    private async Task<IReadOnlyList<StoredMerge>> QueryMergesAsync(string where, string[] ids, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT merge_id, survivor_id, absorbed_id, at, trigger_event_id, payload, undone_at FROM dmp_merges WHERE {where} ORDER BY at, merge_id");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
        var merges = new List<StoredMerge>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            merges.Add(new StoredMerge(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), (byte[])reader.GetValue(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return merges;
    }

    public Task EraseAsync(IReadOnlyCollection<string> ids, DateTimeOffset quarantineUntil, CancellationToken ct = default) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand("""
                DELETE FROM dmp_quarantine WHERE until <= @now;
                DELETE FROM dmp_profiles WHERE id = ANY(@ids);
                DELETE FROM dmp_segment_members WHERE user_id = ANY(@ids);
                DELETE FROM dmp_user_timers WHERE user_id = ANY(@ids);
                DELETE FROM dmp_merges WHERE survivor_id = ANY(@ids) OR absorbed_id = ANY(@ids);
                INSERT INTO dmp_quarantine(key, until) SELECT k, @until FROM unnest(@keys) AS k
                ON CONFLICT(key) DO UPDATE SET until = greatest(dmp_quarantine.until, excluded.until);
                """, connection, tx);
            command.Parameters.AddWithValue("now", _clock.GetUtcNow());
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
            command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.Distinct().Select(IdentityHashes.QuarantineKey).ToArray() });
            command.Parameters.AddWithValue("until", quarantineUntil);
            await command.ExecuteNonQueryAsync(ct);
        }, ErasureLock.Exclusive, ct);

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LoadQuarantineAsync(IReadOnlyCollection<string> ids, DateTimeOffset now, CancellationToken ct = default)
    {
        var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        var byKey = ids.Distinct().ToDictionary(IdentityHashes.QuarantineKey, id => id);
        await using var command = _dataSource.CreateCommand("SELECT key, until FROM dmp_quarantine WHERE until > @now AND key = ANY(@keys)");
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = byKey.Keys.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found[byKey[reader.GetString(0)]] = reader.GetFieldValue<DateTimeOffset>(1);
        return found;
    }

    /// <summary>
    /// How a write transaction stands to erasures. Saves hold the erasure lock shared and erasures exclusive, so an
    /// erasure waits for the saves already running and the saves after it see its quarantine: without it, a save
    /// whose statement began before the erasure committed would write the erased row back (its quarantine check saw
    /// the old snapshot, and its upsert found the row deleted and inserted it again). Erasures are rare and short.
    /// </summary>
    private enum ErasureLock { Shared, Exclusive }

    private const long ErasureLockKey = 0x646D_705F_6572_6173; // "dmp_eras"

    /// <summary>One READ COMMITTED transaction that takes the erasure lock first, so every later statement's snapshot
    /// is taken after it is held.</summary>
    private async Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, ErasureLock erasureLock, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await using (var command = new NpgsqlCommand(
            erasureLock == ErasureLock.Shared ? "SELECT pg_advisory_xact_lock_shared(@key)" : "SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            command.Parameters.AddWithValue("key", ErasureLockKey);
            await command.ExecuteNonQueryAsync(ct);
        }
        await work(connection, tx);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand(
            "WITH members AS (DELETE FROM dmp_segment_members WHERE user_id = @id), timers AS (DELETE FROM dmp_user_timers WHERE user_id = @id) " +
            "DELETE FROM dmp_profiles WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT COUNT(*) FROM dmp_profiles");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task PingAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(ct);
    }

    public async Task<long> NextSequenceAsync(string name, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO dmp_sequences(name, value) VALUES(@name, 1)
            ON CONFLICT(name) DO UPDATE SET value = dmp_sequences.value + 1 RETURNING value
            """);
        command.Parameters.AddWithValue("name", name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task<long?> ReadSequenceAsync(string name, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT value FROM dmp_sequences WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? null : Convert.ToInt64(value);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
