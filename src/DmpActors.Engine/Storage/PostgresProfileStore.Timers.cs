using Npgsql;
using NpgsqlTypes;

namespace DmpActors.Engine.Storage;

/// <summary>The due-time index: one row per (user, module, key), written with the profile row it comes from.</summary>
public sealed partial class PostgresProfileStore
{
    private const string TimerIndexSchema = """

        CREATE TABLE IF NOT EXISTS dmp_user_timers(user_id text NOT NULL, module text NOT NULL, key text NOT NULL, due_ms bigint NOT NULL,
            PRIMARY KEY(user_id, module, key));
        CREATE INDEX IF NOT EXISTS dmp_user_timers_by_due ON dmp_user_timers(due_ms);
        """;

    /// <summary>Replaces the timer rows of every written row that names its timers, in the save's transaction: one
    /// delete and one insert for the whole chunk.</summary>
    private static async Task ReplaceTimersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StoredProfile[] rows,
        HashSet<string> written, CancellationToken ct)
    {
        var replaced = rows.Where(r => r.Timers is not null && written.Contains(r.Id))
            .GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.Last()).ToArray(); // an id's last row in the chunk wins
        if (replaced.Length == 0) return;
        var timers = replaced.SelectMany(r => r.Timers!.Select(t => (r.Id, t))).ToArray();
        await using var command = new NpgsqlCommand("""
            DELETE FROM dmp_user_timers WHERE user_id = ANY(@replaced);
            INSERT INTO dmp_user_timers(user_id, module, key, due_ms) SELECT u, m, k, d FROM unnest(@users, @modules, @keys, @dues) AS t(u, m, k, d);
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter("replaced", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = replaced.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = timers.Select(x => x.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("modules", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = timers.Select(x => x.t.Module).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = timers.Select(x => x.t.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("dues", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = timers.Select(x => TimerIndex.DueMilliseconds(x.t.DueAt)).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<DueTimer>> LoadDueTimersAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = _dataSource.CreateCommand(
            "SELECT user_id, module, key, due_ms FROM dmp_user_timers WHERE due_ms <= @now ORDER BY due_ms LIMIT @limit");
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("limit", limit);
        var due = new List<DueTimer>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            due.Add(new DueTimer(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        return due;
    }
}
