using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Storage;

/// <summary>PostgreSQL profile store: batched upserts through unnest() arrays, one round trip per chunk.</summary>
public sealed class PostgresProfileStore : IProfileStore
{
    private const int RowsPerStatement = 5000;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresProfileStore(string connectionString)
    {
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
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await using var command = _dataSource.CreateCommand("SELECT id, state, version FROM dmp_profiles WHERE id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found[reader.GetString(0)] = new StoredProfile(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetInt64(2));
        return found;
    }

    public async Task SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return;
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var chunk in profiles.Chunk(RowsPerStatement))
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO dmp_profiles(id, state, version, updated_at)
                SELECT i, s, v, now() FROM unnest(@ids, @states, @versions) AS t(i, s, v)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at
                WHERE excluded.version >= dmp_profiles.version
                """, connection, tx);
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunk.Select(p => p.Id).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("states", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = chunk.Select(p => p.State).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chunk.Select(p => p.Version).ToArray() });
            await command.ExecuteNonQueryAsync(ct);
        }
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
