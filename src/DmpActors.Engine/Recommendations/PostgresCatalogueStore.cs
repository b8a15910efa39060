using DmpActors.Domain.Recommendations;
using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Recommendations;

/// <summary>The catalogue in table <c>dmp_items</c> of the PostgreSQL profile database.</summary>
public sealed class PostgresCatalogueStore(string connectionString) : ICatalogueStore
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand(
            "CREATE TABLE IF NOT EXISTS dmp_items(id text PRIMARY KEY, body jsonb NOT NULL, learned boolean NOT NULL, updated_at timestamptz NOT NULL)");
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task PutAsync(IReadOnlyList<CatalogueItem> items, CancellationToken ct = default)
    {
        if (items.Count == 0) return;
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO dmp_items(id, body, learned, updated_at) VALUES (@id, @body, @learned, @at)
            ON CONFLICT (id) DO UPDATE SET body = excluded.body, learned = excluded.learned, updated_at = excluded.updated_at
            WHERE NOT excluded.learned OR dmp_items.learned
            """, connection, tx);
        var id = command.Parameters.Add("id", NpgsqlDbType.Text);
        var body = command.Parameters.Add("body", NpgsqlDbType.Jsonb);
        var learned = command.Parameters.Add("learned", NpgsqlDbType.Boolean);
        var at = command.Parameters.Add("at", NpgsqlDbType.TimestampTz);
        foreach (var item in items)
        {
            id.Value = item.Id;
            body.Value = CatalogueJson.Write(item);
            learned.Value = item.Learned;
            at.Value = (item.UpdatedAt ?? DateTimeOffset.UtcNow).ToUniversalTime();
            await command.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    public async Task<CatalogueItem?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT body::text FROM dmp_items WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(ct) is string json ? CatalogueJson.Read(json) : null;
    }

    public async Task<IReadOnlyList<CatalogueItem>> ListAsync(string? afterId, int limit, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand(
            """SELECT body::text FROM dmp_items WHERE @after::text IS NULL OR id COLLATE "C" > @after::text ORDER BY id COLLATE "C" LIMIT @limit""");
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)afterId ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        var items = new List<CatalogueItem>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(CatalogueJson.Read(reader.GetString(0)));
        return items;
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT COUNT(*) FROM dmp_items");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
