using System.Text;

namespace DmpActors.Benchmarks.Infra;

/// <summary>
/// Writes one run's results into docs/benchmarks.md between markers owned by that workload
/// (<c>&lt;!-- results:NAME --&gt;</c> … <c>&lt;!-- /results:NAME --&gt;</c>); the rest of the file is left alone.
/// A missing section is appended.
/// </summary>
public static class Report
{
    public static string DocPath => Path.Combine(FindRepoRoot(), "docs", "benchmarks.md");

    public static string Header(string title, string command) =>
        $"""
        ### {title}

        - command: `{command}`
        - measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}

        """;

    public static void Write(string name, string markdown)
    {
        var path = DocPath;
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var open = $"<!-- results:{name} -->";
        var close = $"<!-- /results:{name} -->";
        var block = $"{open}\n{markdown.TrimEnd()}\n{close}";
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = text.IndexOf(close, StringComparison.Ordinal);
        text = start >= 0 && end > start
            ? text[..start] + block + text[(end + close.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(path, text, new UTF8Encoding(false));
        Console.WriteLine($"(results written to {path}, section '{name}')");
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DmpActors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    public static string Rate(double perSecond) => perSecond >= 1000 ? $"{perSecond / 1000:0.0}K" : $"{perSecond:0}";

    public static string MiB(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";
}
