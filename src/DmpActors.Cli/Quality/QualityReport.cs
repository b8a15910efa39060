using System.Diagnostics;
using System.Globalization;
using System.Text;
using DmpActors.Domain.Quality;

namespace DmpActors.Cli.Quality;

/// <summary>The quality tables as dmpctl rows and as the markdown of docs/quality.md.</summary>
public static class QualityReport
{
    public const string NotMeasured = "not measured yet";

    public const string Attribution = "Chen, D. (2015). Online Retail [Dataset]. UCI Machine Learning Repository. " +
        "https://doi.org/10.24432/C5BW33 (CC BY 4.0).";

    /// <summary>A header row and one row per model: the value with its 95 % interval, or "not measured yet".</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(ResultTable table) =>
        new[] { (IReadOnlyList<string>)["model", .. table.Columns] }
            .Concat(table.Rows.Select(r => (IReadOnlyList<string>)[r.Model, .. r.Values.Select(Cell)]));

    public static string Cell(Estimate? e) => e?.ToString() ?? NotMeasured;

    public static string Markdown(QualityResults results, string command, DateTimeOffset at)
    {
        var md = new StringBuilder();
        md.AppendLine("# Quality on real data: Online Retail").AppendLine();
        md.AppendLine("Baselines for next-basket recommendations, 90-day spend and churn, measured on the UCI Online Retail " +
            "transactions split by time: everything up to 2011-09-09 is history, 2011-09-10 … 2011-12-09 (Europe/London) the holdout. " +
            "Each value carries its percentile bootstrap 95 % interval over customers. Rows for the engine's own models read " +
            $"\"{NotMeasured}\" until those models exist. How to run it: [import.md](import.md#quality-on-online-retail).").AppendLine();
        md.AppendLine($"- command: `{command}`");
        md.AppendLine($"- commit: {Git("rev-parse --short HEAD")}");
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- date: {at:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine($"- machine: {Machine()}");
        foreach (var (fact, value) in results.Facts) md.AppendLine($"- {fact}: {value}");
        md.AppendLine();
        foreach (var table in results.Tables)
        {
            md.AppendLine($"## {table.Title}").AppendLine();
            var rows = Rows(table).ToList();
            md.AppendLine("| " + string.Join(" | ", rows[0]) + " |");
            md.AppendLine("|" + string.Concat(rows[0].Select((_, i) => i == 0 ? " --- |" : " ---: |")));
            foreach (var row in rows.Skip(1)) md.AppendLine("| " + string.Join(" | ", row) + " |");
            md.AppendLine().AppendLine(table.Note).AppendLine();
        }

        md.AppendLine("## Targets for the engine's models").AppendLine();
        md.AppendLine("| measure | target | best baseline here | engine |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var (measure, target, baseline) in Targets(results))
            md.AppendLine($"| {measure} | {target} | {baseline} | {NotMeasured} |");
        md.AppendLine();
        md.AppendLine("Data: " + Attribution);
        return md.ToString();
    }

    /// <summary>What the engine's models must reach, next to the strongest baseline of each table.</summary>
    private static IEnumerable<(string Measure, string Target, string Baseline)> Targets(QualityResults results)
    {
        string Best(string table, int column, bool lowest = false)
        {
            var rows = results.Tables.Single(t => t.Title == table).Rows.Where(r => r.Values[column] is not null).ToList();
            var best = lowest ? rows.MinBy(r => r.Values[column]!.Value) : rows.MaxBy(r => r.Values[column]!.Value);
            return best is null ? "none" : $"{best.Model}: {best.Values[column]}";
        }

        yield return ("next-basket NDCG@10", "≥ 5 % above personal top-frequency, interval clear of it", Best("Next-basket recommendations", 1));
        yield return ("90-day spend Spearman", "above both baselines", Best("90-day spend (CLV)", 0));
        yield return ("90-day spend Gini", "above both baselines", Best("90-day spend (CLV)", 1));
        yield return ("90-day spend MAE", "no worse than the baselines", Best("90-day spend (CLV)", 2, lowest: true));
        yield return ("churn ROC AUC", "≥ 0.75 and above every baseline (above 0.9 means leakage)", Best("Churn (no order in the holdout)", 0));
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var ram = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {ram:0.0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    private static string Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && text.Length > 0 ? text : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
