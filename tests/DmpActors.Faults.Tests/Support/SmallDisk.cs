using System.Diagnostics;

namespace DmpActors.Faults.Tests.Support;

/// <summary>
/// A small tmpfs mounted for one test (needs root and mount), filled up to make writes fail with ENOSPC, then
/// emptied again.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    public SmallDisk(int megabytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dmp-faults-disk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", Path);
        _filler = System.IO.Path.Combine(Path, "filler");
    }

    public string Path { get; }

    /// <summary>True when this process may mount filesystems (root with CAP_SYS_ADMIN).</summary>
    public static bool CanMount
    {
        get
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
            var capEff = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return capEff is not null && (Convert.ToUInt64(capEff["CapEff:".Length..].Trim(), 16) & (1UL << 21)) != 0;
        }
    }

    /// <summary>Writes a file until the filesystem has no byte left.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true) file.Write(chunk);
        }
        catch (IOException) { }
        try { while (true) file.Write(chunk, 0, 1); } catch (IOException) { }
    }

    public void Free() => File.Delete(_filler);

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(" ", args)} failed: {error}");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Run("umount", "-l", Path); } catch (InvalidOperationException) { }
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs where the test may mount a small filesystem (root with CAP_SYS_ADMIN).</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (!SmallDisk.CanMount) Skip = "mounting a small tmpfs needs root with CAP_SYS_ADMIN";
    }
}
