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
            "Each value carries its percentile bootstrap 95 % interval over customers. The engine's own models are measured beside the " +
            "baselines on the same customers and resamples; a row reads \"" + NotMeasured + "\" when its model was not asked (the recommendations " +
            "need an engine that has consumed the history, `--engine`). How to run it: [import.md](import.md#quality-on-online-retail).").AppendLine();
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
        md.AppendLine("| measure | target | best baseline here | engine | met |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var t in Targets(results))
            md.AppendLine($"| {t.Measure} | {t.Target} | {t.Baseline} | {t.Engine} | {t.Met} |");
        md.AppendLine();
        md.AppendLine("Data: " + Attribution);
        return md.ToString();
    }

    /// <summary>What the engine's models must reach, next to the strongest baseline of each table and the engine's value.</summary>
    public static IEnumerable<(string Measure, string Target, string Baseline, string Engine, string Met)> Targets(QualityResults results)
    {
        ResultTable Table(string title) => results.Tables.Single(t => t.Title == title);
        Estimate? Of(string table, string model, int column) => Table(table).Rows.FirstOrDefault(r => r.Model == model)?.Values[column];
        ResultRow? Best(string table, int column, bool lowest = false)
        {
            var rows = Table(table).Rows.Where(r => !r.Model.StartsWith("engine", StringComparison.Ordinal) && r.Values[column] is not null).ToList();
            return lowest ? rows.MinBy(r => r.Values[column]!.Value) : rows.MaxBy(r => r.Values[column]!.Value);
        }

        (string, string, string, string, string) Row(string measure, string target, string table, string engine, int column, Func<Estimate, Estimate, bool> met,
            bool lowest = false)
        {
            var best = Best(table, column, lowest);
            var mine = Of(table, engine, column);
            var verdict = mine is null || best is null ? NotMeasured : met(mine, best.Values[column]!) ? "yes" : "**no**";
            return (measure, target, best is null ? "none" : $"{best.Model}: {best.Values[column]}", Cell(mine), verdict);
        }

        const string recs = "Next-basket recommendations", spend = "90-day spend (CLV)", churn = "Churn (no order in the holdout)";
        var personal = Of(recs, "personal top-frequency", 1);
        var engineNdcg = Of(recs, EngineAnswers.DefaultRecommendations, 1);
        yield return ("next-basket NDCG@10", "≥ 5 % above personal top-frequency, interval clear of it",
            personal is null ? "none" : $"personal top-frequency: {personal}", Cell(engineNdcg),
            engineNdcg is null || personal is null ? NotMeasured : engineNdcg.Value >= 1.05 * personal.Value && engineNdcg.Low > personal.High ? "yes" : "**no**");
        yield return Row("90-day spend Spearman", "above both baselines", spend, EngineAnswers.ClvModel, 0, (e, b) => e.Value > b.Value);
        yield return Row("90-day spend Gini", "above both baselines", spend, EngineAnswers.ClvModel, 1, (e, b) => e.Value > b.Value);
        yield return Row("90-day spend MAE", "no worse than the baselines", spend, EngineAnswers.ClvModel, 2, (e, b) => e.Value <= b.Value, lowest: true);
        yield return Row("churn ROC AUC", "≥ 0.75 and above every baseline (above 0.9 means leakage)", churn, EngineAnswers.ChurnModel, 0,
            (e, b) => e.Value >= 0.75 && e.Value > b.Value);
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
