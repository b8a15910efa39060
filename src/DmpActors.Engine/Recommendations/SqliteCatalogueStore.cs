using DmpActors.Domain.Recommendations;
using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Recommendations;

/// <summary>The catalogue in table <c>items</c> of the SQLite profile database (WAL: reads never wait for the
/// profile writer; a catalogue write waits its turn behind a checkpoint, up to the busy timeout).</summary>
public sealed class SqliteCatalogueStore(string databaseFile) : ICatalogueStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databaseFile, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30,
    }.ToString();

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databaseFile));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS items(id TEXT PRIMARY KEY, body TEXT NOT NULL, learned INTEGER NOT NULL, updated_at TEXT NOT NULL);
            """;
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task PutAsync(IReadOnlyList<CatalogueItem> items, CancellationToken ct = default)
    {
        if (items.Count == 0) return;
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction();
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        // A learned row replaces only a learned row: the shop's entry is never overwritten by what events taught.
        command.CommandText = """
            INSERT INTO items(id, body, learned, updated_at) VALUES ($id, $body, $learned, $at)
            ON CONFLICT(id) DO UPDATE SET body = excluded.body, learned = excluded.learned, updated_at = excluded.updated_at
            WHERE excluded.learned = 0 OR items.learned = 1
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var body = command.Parameters.Add("$body", SqliteType.Text);
        var learned = command.Parameters.Add("$learned", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Text);
        foreach (var item in items)
        {
            id.Value = item.Id;
            body.Value = CatalogueJson.Write(item);
            learned.Value = item.Learned ? 1 : 0;
            at.Value = (item.UpdatedAt ?? DateTimeOffset.UtcNow).ToString("O");
            await command.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    public async Task<CatalogueItem?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM items WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(ct) is string json ? CatalogueJson.Read(json) : null;
    }

    public async Task<IReadOnlyList<CatalogueItem>> ListAsync(string? afterId, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM items WHERE $after IS NULL OR id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$after", (object?)afterId ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var items = new List<CatalogueItem>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(CatalogueJson.Read(reader.GetString(0)));
        return items;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM items";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }
}
