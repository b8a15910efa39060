using DmpActors.Domain.Modules;
using Microsoft.Data.Sqlite;

namespace DmpActors.Engine.Storage;

/// <summary>The due-time index: one row per (user, module, key), written with the profile row it comes from.</summary>
public sealed partial class SqliteProfileStore
{
    /// <summary>Keyed by user, so a save replaces one range; the due index serves the timer service's poll.</summary>
    private static async Task CreateTimerIndexAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS user_timers(user_id TEXT NOT NULL, module TEXT NOT NULL, key TEXT NOT NULL, due_ms INTEGER NOT NULL,
                PRIMARY KEY(user_id, module, key)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS user_timers_by_due ON user_timers(due_ms);
            """;
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<DueTimer>> LoadDueTimersAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id, module, key, due_ms FROM user_timers WHERE due_ms <= $now ORDER BY due_ms LIMIT $limit";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        var due = new List<DueTimer>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            due.Add(new DueTimer(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        return due;
    }

    /// <summary>Replaces one user's timer rows inside a save's transaction, in one statement pair whatever their number.
    /// Due times are stored in whole milliseconds rounded up, so a timer is never found due before it is.</summary>
    private sealed class TimerRows : IAsyncDisposable
    {
        private readonly SqliteCommand _replace;
        private readonly SqliteParameter _user, _list;

        public TimerRows(SqliteConnection connection, SqliteTransaction tx)
        {
            _replace = connection.CreateCommand();
            _replace.Transaction = tx;
            _replace.CommandText = """
                DELETE FROM user_timers WHERE user_id = $user;
                INSERT INTO user_timers(user_id, module, key, due_ms)
                SELECT $user, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each($list);
                """;
            _user = _replace.Parameters.Add("$user", SqliteType.Text);
            _list = _replace.Parameters.Add("$list", SqliteType.Text);
        }

        public async Task ReplaceAsync(string userId, IReadOnlyList<UserTimer> timers, CancellationToken ct)
        {
            _user.Value = userId;
            _list.Value = System.Text.Json.JsonSerializer.Serialize(timers.Select(t => new object[] { t.Module, t.Key, TimerIndex.DueMilliseconds(t.DueAt) }));
            await _replace.ExecuteNonQueryAsync(ct);
        }

        public ValueTask DisposeAsync() => _replace.DisposeAsync();
    }
}

internal static class TimerIndex
{
    /// <summary>Rounded up to the next millisecond: the index may find a timer due a little late, never early.</summary>
    public static long DueMilliseconds(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms) < at ? ms + 1 : ms;
    }
}
