using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Storage;

/// <summary>
/// SQLite profile store: WAL journal, synchronous=FULL, one writer at a time (SQLite allows no more),
/// readers concurrent with the writer.
/// </summary>
public sealed class SqliteProfileStore : IProfileStore
{
    private const int MaxIdsPerQuery = 500;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteProfileStore(string databaseFile)
    {
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
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS profiles(id TEXT PRIMARY KEY, state BLOB NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS sequences(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            """;
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await using var connection = await OpenAsync(ct);
        foreach (var chunk in ids.Chunk(MaxIdsPerQuery))
        {
            await using var command = connection.CreateCommand();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "$p" + i;
                command.Parameters.AddWithValue(names[i], chunk[i]);
            }
            command.CommandText = $"SELECT id, state, version FROM profiles WHERE id IN ({string.Join(',', names)})";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found[reader.GetString(0)] = new StoredProfile(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetInt64(2));
        }
        return found;
    }

    public async Task SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return;
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            // A lower version never overwrites a higher one: saves may race after a restart.
            command.CommandText = """
                INSERT INTO profiles(id, state, version, updated_at) VALUES($id, $state, $version, $at)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at
                WHERE excluded.version >= profiles.version
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var state = command.Parameters.Add("$state", SqliteType.Blob);
            var version = command.Parameters.Add("$version", SqliteType.Integer);
            var at = command.Parameters.Add("$at", SqliteType.Text);
            at.Value = DateTimeOffset.UtcNow.ToString("O");
            command.Prepare();
            foreach (var profile in profiles)
            {
                id.Value = profile.Id;
                state.Value = profile.State;
                version.Value = profile.Version;
                await command.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM profiles WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return await command.ExecuteNonQueryAsync(ct) > 0;
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
