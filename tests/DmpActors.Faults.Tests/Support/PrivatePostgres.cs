using System.Diagnostics;
using DmpActors.Engine.Tests.Support;
using DmpActors.Host.Tests;

namespace DmpActors.Faults.Tests.Support;

/// <summary>
/// A PostgreSQL of the test's own (initdb, pg_ctl from the newest /usr/lib/postgresql/*/bin or DMP_PG_BIN) on a
/// free loopback port and its own data directory, so it can be stopped and started without touching the suite's.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    private readonly int _port = Ports.Free();

    private PrivatePostgres(string bin)
    {
        _bin = bin;
        _dir = Path.Combine(Path.GetTempPath(), "dmp-faults-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    public static string? BinDirectory =>
        Environment.GetEnvironmentVariable("DMP_PG_BIN") is { Length: > 0 } bin ? bin
        : Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : new Version(0, 0)).LastOrDefault()
            : null;

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=5";

    public static async Task<PrivatePostgres> StartNewAsync()
    {
        var pg = new PrivatePostgres(BinDirectory ?? throw new InvalidOperationException("no PostgreSQL binaries (initdb, pg_ctl)"));
        // PostgreSQL refuses to run as root: as root, its files belong to and it runs as the postgres user.
        if (Environment.UserName == "root") await Run("chown", "postgres:", pg._dir);
        await pg.AsPostgres("initdb", "-D", pg.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale");
        await pg.StartAsync();
        return pg;
    }

    private string Data => Path.Combine(_dir, "data");

    public Task StartAsync() => AsPostgres("pg_ctl", "-D", Data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "-o",
        $"-c listen_addresses=127.0.0.1 -p {_port} -c unix_socket_directories='{_dir}' -c fsync=off", "start");

    /// <summary>Immediate stop: the server dies as in a crash, every connection is cut. (fsync=off is safe for this, the
    /// operating system survives; synchronous_commit=off would not be: it loses commits the engine was told were durable.)</summary>
    public Task StopAsync() => AsPostgres("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    private Task AsPostgres(string tool, params string[] args) => Environment.UserName == "root"
        ? Run("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
        : Run(Path.Combine(_bin, tool), args);

    private static async Task Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(" ", args)} exited {process.ExitCode}:\n{await output}\n{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Runs where the suite's PostgreSQL is (DMP_TEST_POSTGRES) and PostgreSQL's binaries are there to start a private one.</summary>
public sealed class PrivatePostgresFactAttribute : FactAttribute
{
    public PrivatePostgresFactAttribute()
    {
        if (TestDatabases.Postgres is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "DMP_TEST_POSTGRES is not set (./test.sh sets it)";
        else if (PrivatePostgres.BinDirectory is null)
            Skip = "no PostgreSQL binaries under /usr/lib/postgresql/*/bin";
    }
}
