using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Storage;

/// <summary>The segment member index: one row per (segment, user), written with the profile row it comes from.</summary>
public sealed partial class PostgresProfileStore
{
    /// <summary>Keyed by segment first, so a segment's members are one range in id order; the user index serves the
    /// replacement of one user's rows at every save and the erasure.</summary>
    private const string MemberIndexSchema = """

        CREATE TABLE IF NOT EXISTS dmp_segment_members(segment_id text NOT NULL, user_id text NOT NULL, PRIMARY KEY(segment_id, user_id));
        CREATE INDEX IF NOT EXISTS dmp_segment_members_by_user ON dmp_segment_members(user_id);
        """;

    /// <summary>Replaces the member rows of every written row that names its segments, in the save's transaction: one
    /// delete and one insert for the whole chunk.</summary>
    private static async Task ReplaceMembersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StoredProfile[] rows,
        HashSet<string> written, CancellationToken ct)
    {
        var replaced = rows.Where(r => r.Segments is not null && written.Contains(r.Id)).ToArray();
        if (replaced.Length == 0) return;
        var users = new List<string>();
        var segments = new List<string>();
        foreach (var row in replaced)
            foreach (var segment in row.Segments!.Distinct(StringComparer.Ordinal))
            {
                users.Add(row.Id);
                segments.Add(segment);
            }
        await using var command = new NpgsqlCommand("""
            DELETE FROM dmp_segment_members WHERE user_id = ANY(@replaced);
            INSERT INTO dmp_segment_members(segment_id, user_id) SELECT s, u FROM unnest(@segments, @users) AS t(s, u);
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter("replaced", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = replaced.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("segments", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = segments.ToArray() });
        command.Parameters.Add(new NpgsqlParameter("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = users.ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> LoadSegmentMembersAsync(string segmentId, string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = _dataSource.CreateCommand("""
            SELECT user_id FROM dmp_segment_members WHERE segment_id = @segment AND (@after::text IS NULL OR user_id > @after)
            ORDER BY user_id LIMIT @limit
            """);
        command.Parameters.AddWithValue("segment", segmentId);
        return await ReadIdsAsync(command, after, limit, ct);
    }

    public async Task<long> CountSegmentMembersAsync(string segmentId, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT COUNT(*) FROM dmp_segment_members WHERE segment_id = @segment");
        command.Parameters.AddWithValue("segment", segmentId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task<IReadOnlyList<string>> ScanIdsAsync(string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = _dataSource.CreateCommand(
            "SELECT id FROM dmp_profiles WHERE @after::text IS NULL OR id > @after ORDER BY id LIMIT @limit");
        return await ReadIdsAsync(command, after, limit, ct);
    }

    private static async Task<IReadOnlyList<string>> ReadIdsAsync(NpgsqlCommand command, string? after, int limit, CancellationToken ct)
    {
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)after ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        var ids = new List<string>(Math.Min(limit, 1024));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }
}
