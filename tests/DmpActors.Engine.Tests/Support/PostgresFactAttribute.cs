namespace DmpActors.Engine.Tests.Support;

/// <summary>
/// A fact that needs the PostgreSQL that test.sh starts (DMP_TEST_POSTGRES). Outside CI it is
/// skipped when the variable is missing; in CI (CI=true) a missing database fails the test instead.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestDatabases.Postgres is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "DMP_TEST_POSTGRES is not set (./test.sh sets it)";
    }
}

public static class TestDatabases
{
    public static string? Postgres => Environment.GetEnvironmentVariable("DMP_TEST_POSTGRES");

    public static string RequirePostgres() =>
        Postgres ?? throw new InvalidOperationException("DMP_TEST_POSTGRES is not set: run the suite with ./test.sh, which starts PostgreSQL");

    /// <summary>A fresh database per test class, so tests never see each other's rows.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(RequirePostgres());
        var name = "dmp_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new Npgsql.NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        admin.Database = name;
        return admin.ConnectionString;
    }
}

public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dmp-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
