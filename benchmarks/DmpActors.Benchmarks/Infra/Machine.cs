using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace DmpActors.Benchmarks.Infra;

/// <summary>Where a number was measured, field by field (for the JSON results).</summary>
public sealed record MachineFacts(int Cores, string Cpu, double RamGiB, string Os, string Dotnet, string Gc, string Commit);

/// <summary>Facts about where a number was measured.</summary>
public static class Machine
{
    public static MachineFacts Facts() => new(
        Environment.ProcessorCount, CpuModel(), Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        OsName(), Environment.Version.ToString(),
        (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent"), GitHead());

    public static string Describe()
    {
        var f = Facts();
        return $"{f.Cores} cores ({f.Cpu}), {f.RamGiB:0.0} GiB RAM, {f.Os}, .NET {f.Dotnet} ({f.Gc} GC), commit {f.Commit}";
    }

    public static string GitHead()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var head = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            var dirty = Run("git", "status --porcelain --untracked-files=no").Length > 0;
            return head + (dirty ? " (+ uncommitted changes in the working tree)" : "");
        }
        catch (Exception) { return "unknown"; }
    }

    private static string Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }

    private static string OsName()
    {
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null) return pretty["PRETTY_NAME=".Length..].Trim('"') + $" (kernel {Environment.OSVersion.Version})";
        }
        catch (IOException) { }
        return RuntimeInformation.OSDescription;
    }

    private static string CpuModel()
    {
        try
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null) return model[(model.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}
