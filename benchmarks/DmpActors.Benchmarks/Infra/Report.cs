using System.Text;
using System.Text.Json;

namespace DmpActors.Benchmarks.Infra;

/// <summary>
/// Writes one run's results three ways: into docs/benchmarks.md between markers owned by that workload
/// (<c>&lt;!-- results:NAME --&gt;</c> … <c>&lt;!-- /results:NAME --&gt;</c>; the rest of the file is left alone,
/// a missing section is appended), and as docs/benchmarks/NAME.md and NAME.json (machine facts, commit,
/// command, date and the workload's numbers) for tools and for comparing runs.
/// </summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string DocPath => Path.Combine(FindRepoRoot(), "docs", "benchmarks.md");

    public static string ResultsDirectory => Path.Combine(FindRepoRoot(), "docs", "benchmarks");

    public static string Header(string title, string command) =>
        $"""
        ### {title}

        - command: `{command}`
        - measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}

        """;

    /// <param name="results">The workload's numbers; serialised as they are under "results".</param>
    public static void Write(string name, string markdown, string command, object results)
    {
        WriteSection(name, markdown);
        Directory.CreateDirectory(ResultsDirectory);
        var mdPath = Path.Combine(ResultsDirectory, name + ".md");
        File.WriteAllText(mdPath, markdown.TrimEnd() + "\n", new UTF8Encoding(false));
        var document = new { Name = name, Command = command, MeasuredUtc = DateTimeOffset.UtcNow, Machine = Machine.Facts(), Results = results };
        var jsonPath = Path.Combine(ResultsDirectory, name + ".json");
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Json) + "\n", new UTF8Encoding(false));
        Console.WriteLine($"(results written to {mdPath} and {jsonPath})");
    }

    private static void WriteSection(string name, string markdown)
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

    public static string RepoRoot => FindRepoRoot();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DmpActors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    public static string Rate(double perSecond) => perSecond >= 1000 ? $"{perSecond / 1000:0.0}K" : $"{perSecond:0}";

    public static string MiB(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";
}
