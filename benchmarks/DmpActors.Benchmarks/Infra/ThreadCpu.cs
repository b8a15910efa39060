using System.Globalization;

namespace DmpActors.Benchmarks.Infra;

/// <summary>
/// CPU time per thread name from /proc/self/task (Linux), EventPipe-free: where did the cores go?
/// Threads that ended between the two snapshots are missing from the split (their time is in the total).
/// </summary>
public sealed class ThreadCpu
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    private readonly Dictionary<int, (string Name, long Ticks)> _start;
    private readonly TimeSpan _processStart;

    private ThreadCpu(Dictionary<int, (string, long)> start, TimeSpan processStart)
    {
        _start = start;
        _processStart = processStart;
    }

    public static ThreadCpu Start()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return new ThreadCpu(Snapshot(), p.TotalProcessorTime);
    }

    public CpuSplit Stop(TimeSpan wall)
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        var total = p.TotalProcessorTime - _processStart;
        var end = Snapshot();
        var byName = new Dictionary<string, double>();
        foreach (var (tid, (name, ticks)) in end)
        {
            var before = _start.TryGetValue(tid, out var s) ? s.Ticks : 0;
            var seconds = (ticks - before) / TicksPerSecond;
            if (seconds <= 0) continue;
            var group = Normalise(name);
            byName[group] = byName.GetValueOrDefault(group) + seconds;
        }
        return new CpuSplit(wall, total, byName.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value)).ToList());
    }

    /// <summary>Thread names end with numbers (".NET TP Worker", "rdk:broker1"): group the numbered ones.</summary>
    private static string Normalise(string name)
    {
        var trimmed = name.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_', '-', ' ', '#');
        return trimmed.Length == 0 ? name : trimmed;
    }

    private static Dictionary<int, (string, long)> Snapshot()
    {
        var result = new Dictionary<int, (string, long)>();
        if (!Directory.Exists("/proc/self/task")) return result;
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                // fields[0] is state (field 3); utime is field 14, stime 15 -> indexes 11, 12.
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                result[tid] = (name, ticks);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException) { }
        }
        return result;
    }
}

public sealed record CpuSplit(TimeSpan Wall, TimeSpan ProcessCpu, IReadOnlyList<(string Thread, double Seconds)> ByThread)
{
    public double CoresUsed => ProcessCpu.TotalSeconds / Wall.TotalSeconds;

    public string Markdown(int top = 10)
    {
        var lines = new List<string>
        {
            $"Process CPU {ProcessCpu.TotalSeconds:0.0} s over {Wall.TotalSeconds:0.0} s wall = {CoresUsed:0.00} of {Environment.ProcessorCount} cores.",
            "",
            "| thread (name from /proc, numbers grouped) | CPU s | share of process CPU |",
            "| --- | ---: | ---: |",
        };
        foreach (var (thread, seconds) in ByThread.Take(top))
            lines.Add($"| `{thread}` | {seconds:0.0} | {seconds / Math.Max(0.001, ProcessCpu.TotalSeconds):P0} |");
        return string.Join(Environment.NewLine, lines);
    }
}
