using DmpActors.Domain.Identity;
using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Storage;

/// <summary>PostgreSQL profile store: batched upserts through unnest() arrays, one round trip per chunk.</summary>
public sealed class PostgresProfileStore : IProfileStore
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
            CREATE TABLE IF NOT EXISTS dmp_merges(merge_id text PRIMARY KEY, survivor_id text NOT NULL, absorbed_id text NOT NULL,
                at timestamptz NOT NULL, trigger_event_id text NOT NULL, undone_at timestamptz, payload bytea NOT NULL);
            CREATE INDEX IF NOT EXISTS dmp_merges_by_survivor ON dmp_merges(survivor_id);
            CREATE INDEX IF NOT EXISTS dmp_merges_by_absorbed ON dmp_merges(absorbed_id);
            CREATE TABLE IF NOT EXISTS dmp_quarantine(key text PRIMARY KEY, until timestamptz NOT NULL);
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await using var command = _dataSource.CreateCommand("SELECT id, state, version, identity FROM dmp_profiles WHERE id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found[reader.GetString(0)] = new StoredProfile(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3));
        return found;
    }

    public async Task<SaveResult> SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return SaveResult.AllWritten;
        var rows = LatestPerId(profiles);
        await WriteAsync(async (connection, tx) =>
        {
            foreach (var chunk in rows.Chunk(RowsPerStatement)) await UpsertAsync(connection, tx, chunk, ct);
        }, ct);
        return SaveResult.AllWritten;
    }

    /// <summary>
    /// One row per id, the one writing the batch in order would leave: the highest version, the later of equal ones.
    /// A multi-row upsert may not touch a row twice (PostgreSQL error 21000), and a checkpoint's save and a merge's
    /// re-save of the same user can meet in one write.
    /// </summary>
    private static IReadOnlyList<StoredProfile> LatestPerId(IReadOnlyList<StoredProfile> profiles)
    {
        var latest = new Dictionary<string, StoredProfile>(profiles.Count, StringComparer.Ordinal);
        foreach (var profile in profiles)
            if (!latest.TryGetValue(profile.Id, out var kept) || profile.Version >= kept.Version) latest[profile.Id] = profile;
        return latest.Count == profiles.Count ? profiles : [.. latest.Values];
    }

    /// <summary>A lower version never overwrites a higher one (saves may race after a restart), and a quarantined id
    /// is never written. Returns the rows written.</summary>
    private async Task<int> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StoredProfile[] chunk, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO dmp_profiles(id, state, version, updated_at, identity)
            SELECT i, s, v, @now, d FROM unnest(@ids, @keys, @states, @versions, @identities) AS t(i, k, s, v, d)
            WHERE NOT EXISTS (SELECT 1 FROM dmp_quarantine q WHERE q.key = t.k AND q.until > @now)
            ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at, identity = excluded.identity
            WHERE excluded.version >= dmp_profiles.version
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunk.Select(p => p.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunk.Select(p => IdentityHashes.QuarantineKey(p.Id)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("states", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = chunk.Select(p => p.State).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chunk.Select(p => p.Version).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("identities", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = chunk.Select(p => p.Identity).ToArray() });
        command.Parameters.AddWithValue("now", _clock.GetUtcNow());
        return await command.ExecuteNonQueryAsync(ct);
    }

    public Task SaveMergeAsync(StoredProfile survivor, StoredProfile absorbed, StoredMerge merge, CancellationToken ct = default) =>
        WriteAsync(async (connection, tx) =>
        {
            foreach (var profile in new[] { survivor, absorbed })
            {
                if (await UpsertAsync(connection, tx, [profile], ct) != 1) throw new StaleProfileException(profile.Id);
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
        }, ct);

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
                DELETE FROM dmp_merges WHERE survivor_id = ANY(@ids) OR absorbed_id = ANY(@ids);
                INSERT INTO dmp_quarantine(key, until) SELECT k, @until FROM unnest(@keys) AS k
                ON CONFLICT(key) DO UPDATE SET until = greatest(dmp_quarantine.until, excluded.until);
                """, connection, tx);
            command.Parameters.AddWithValue("now", _clock.GetUtcNow());
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
            command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.Distinct().Select(IdentityHashes.QuarantineKey).ToArray() });
            command.Parameters.AddWithValue("until", quarantineUntil);
            await command.ExecuteNonQueryAsync(ct);
        }, ct);

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

    private async Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await work(connection, tx);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM dmp_profiles WHERE id = @id");
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
