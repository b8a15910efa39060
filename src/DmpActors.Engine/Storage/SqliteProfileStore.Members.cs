using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Storage;

/// <summary>The segment member index: one row per (segment, user), written with the profile row it comes from.</summary>
public sealed partial class SqliteProfileStore
{
    /// <summary>Keyed by segment first, so a segment's members are one range in id order; the user index serves the
    /// replacement of one user's rows at every save and the erasure.</summary>
    private static async Task CreateMemberIndexAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS segment_members(segment_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY(segment_id, user_id)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS segment_members_by_user ON segment_members(user_id);
            """;
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> LoadSegmentMembersAsync(string segmentId, string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT user_id FROM segment_members WHERE segment_id = $segment AND ($after IS NULL OR user_id > $after)
            ORDER BY user_id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$segment", segmentId);
        return await ReadIdsAsync(command, after, limit, ct);
    }

    public async Task<long> CountSegmentMembersAsync(string segmentId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM segment_members WHERE segment_id = $segment";
        command.Parameters.AddWithValue("$segment", segmentId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task<IReadOnlyList<string>> ScanIdsAsync(string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM profiles WHERE $after IS NULL OR id > $after ORDER BY id LIMIT $limit";
        return await ReadIdsAsync(command, after, limit, ct);
    }

    private static async Task<IReadOnlyList<string>> ReadIdsAsync(SqliteCommand command, string? after, int limit, CancellationToken ct)
    {
        command.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<string>(Math.Min(limit, 1024));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>The prepared statements that replace one user's member rows inside a save's transaction. Only rows that
    /// change are written (most saves keep the memberships they had), and each user costs two statements whatever the
    /// number of its segments: statements, not rows, are what a checkpoint pays for.</summary>
    private sealed class MemberRows : IAsyncDisposable
    {
        private readonly SqliteCommand _delete, _insert;
        private readonly SqliteParameter _deleteUser, _kept, _insertUser, _added;

        public MemberRows(SqliteConnection connection, SqliteTransaction tx)
        {
            _delete = connection.CreateCommand();
            _delete.Transaction = tx;
            _delete.CommandText = "DELETE FROM segment_members WHERE user_id = $user AND segment_id NOT IN (SELECT value FROM json_each($kept))";
            _deleteUser = _delete.Parameters.Add("$user", SqliteType.Text);
            _kept = _delete.Parameters.Add("$kept", SqliteType.Text);
            _insert = connection.CreateCommand();
            _insert.Transaction = tx;
            _insert.CommandText = "INSERT OR IGNORE INTO segment_members(segment_id, user_id) SELECT value, $user FROM json_each($added)";
            _added = _insert.Parameters.Add("$added", SqliteType.Text);
            _insertUser = _insert.Parameters.Add("$user", SqliteType.Text);
        }

        public async Task ReplaceAsync(string userId, IReadOnlyList<string> segments, CancellationToken ct)
        {
            // Two statements whatever the number of segments: the list travels as one JSON array.
            var list = System.Text.Json.JsonSerializer.Serialize(segments);
            _deleteUser.Value = userId;
            _kept.Value = list;
            await _delete.ExecuteNonQueryAsync(ct);
            if (segments.Count == 0) return;
            _insertUser.Value = userId;
            _added.Value = list;
            await _insert.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await _delete.DisposeAsync();
            await _insert.DisposeAsync();
        }
    }
}
