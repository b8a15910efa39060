using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DmpActors.Faults.Tests.Support;

/// <summary>One fault scenario's outcome, as the table in docs/reliability.md shows it.</summary>
/// <param name="Records">Acknowledged records the scenario produced.</param>
/// <param name="Recovery">From the end of the fault until every acknowledged record was committed.</param>
public sealed record FaultOutcome(string Fault, long Records, long Lost, long Doubled, long Resurrected, TimeSpan Recovery,
    long Restarts, string Notes = "");

/// <summary>
/// Each scenario writes its row to TestResults/reliability/rows/ (under the repository root, or
/// DMP_RELIABILITY_RESULTS) and regenerates TestResults/reliability/reliability.md from every row there.
/// </summary>
public static class ReliabilityReport
{
    private static readonly object Gate = new();

    public static string Directory { get; } = Environment.GetEnvironmentVariable("DMP_RELIABILITY_RESULTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(RepositoryRoot(), "TestResults", "reliability");

    public static void Record(FaultOutcome outcome)
    {
        lock (Gate)
        {
            var rows = Path.Combine(Directory, "rows");
            System.IO.Directory.CreateDirectory(rows);
            var name = new string(outcome.Fault.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
            File.WriteAllText(Path.Combine(rows, name + ".json"), JsonSerializer.Serialize(outcome));
            var all = System.IO.Directory.GetFiles(rows, "*.json").Order(StringComparer.Ordinal)
                .Select(f => JsonSerializer.Deserialize<FaultOutcome>(File.ReadAllText(f))!)
                .OrderBy(o => o.Fault, StringComparer.Ordinal);
            File.WriteAllText(Path.Combine(Directory, "reliability.md"), Table(all));
        }
    }

    private static string Table(IEnumerable<FaultOutcome> outcomes)
    {
        var md = new StringBuilder();
        md.AppendLine("| fault | records | lost | doubled | resurrected | recovery (s) | ingest restarts | notes |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var o in outcomes)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {o.Fault} | {o.Records} | {o.Lost} | {o.Doubled} | {o.Resurrected} | {o.Recovery.TotalSeconds:0.0} | {o.Restarts} | {o.Notes} |"));
        return md.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DmpActors.sln"))) return dir.FullName;
        return Path.GetTempPath();
    }
}
