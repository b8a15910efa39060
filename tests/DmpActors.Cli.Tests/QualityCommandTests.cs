using System.Globalization;
using System.Text;
using DmpActors.Cli.Tests.Support;
using Xunit.Abstractions;
using OnlineRetailFact = DmpActors.Cli.Tests.OnlineRetailReplayTests.OnlineRetailFactAttribute;

namespace DmpActors.Cli.Tests;

/// <summary><c>dmpctl quality online-retail</c> on a slice of the real file (the same code as the full run of
/// docs/quality.md), and its leakage guard on a history made to leak.</summary>
public sealed class QualityCommandTests(ITestOutputHelper log)
{
    [OnlineRetailFact]
    public async Task A_slice_of_online_retail_prints_every_table_with_plausible_baselines_and_writes_the_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"quality-{Guid.NewGuid():N}.md");
        try
        {
            var (exitCode, output, error) = await CliRunner.RunAsync(
                "quality", "online-retail", OnlineRetailReplayTests.DatasetPath!, "--slice", "800", "--replicates", "200", "--out", report);
            log.WriteLine(output);
            log.WriteLine(error);

            Assert.True(exitCode == 0, error);
            Assert.Contains("800 customers with a history", error);
            foreach (var title in new[] { "Next-basket recommendations:", "90-day spend (CLV):", "Churn (no order in the holdout):",
                         "Behavioural clusters on log1p RFM: choosing k:", "Segments and what they spent next:", "Targets:" })
                Assert.Contains(title, output);
            Assert.Contains("engine default (GET recommendations) | not measured yet", output);

            // Published personal top-frequency Recall@10 is 0.13–0.16 on grocery data; a gift shop's repeat buyers sit near it.
            Assert.InRange(Value(output, "personal top-frequency", column: 1), 0.08, 0.35);
            Assert.True(Value(output, "personal top-frequency", 2) > Value(output, "global top-frequency", 2), "personal beats global on NDCG@10");
            Assert.InRange(Value(output, "recency (days since the last order)", 1), 0.5, 0.9);
            Assert.InRange(Value(output, "BG/NBD P(no order in the holdout)", 1), 0.5, 0.9);
            Assert.InRange(Value(output, "BG/NBD + Gamma-Gamma", 1), 0.2, 0.9); // Spearman
            Assert.InRange(Value(output, "ALS (implicit matrix factorisation)", 1), 0.05, 0.35);

            // The engine's own CLV and churn models, trained on point-in-time rows of the history only.
            Assert.InRange(Value(output, "engine CLV model", 1), 0.3, 0.9);
            Assert.InRange(Value(output, "engine churn model", 1), 0.6, 0.9);

            // Segments: every k has a silhouette and a stability, and the best RFM segment spends more next than the worst.
            foreach (var k in Enumerable.Range(2, 7)) Assert.Contains($"k = {k}", output);
            Assert.True(Value(output, "RFM champions", 3) > Value(output, "RFM lost", 3), "champions spend more in the holdout than lost customers");

            var markdown = await File.ReadAllTextAsync(report);
            Assert.Contains("- commit: ", markdown);
            Assert.Contains("| personal top-frequency | ", markdown);
            Assert.Contains("https://doi.org/10.24432/C5BW33", markdown);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [OnlineRetailFact]
    public async Task A_slice_measures_the_recommendations_of_an_engine_that_replayed_the_history_in_event_time()
    {
        // Given an engine on event time that has consumed the history (up to the last history day) through the import
        await using var node = await LiveNode.StartFirstAsync(new Dictionary<string, string?> { ["Dmp:Profiles:Clock"] = "event" });
        var import = await CliRunner.RunAsync("import", "online-retail", OnlineRetailReplayTests.DatasetPath!, "--until", "2011-09-09",
            "--bootstrap", node.BrokerAddress, "--max-rate");
        Assert.True(import.ExitCode == 0, import.Error + import.Output);

        // When the quality run asks it, through the public API, for the top-10 of a slice of the holdout buyers
        var (exitCode, output, error) = await CliRunner.RunAsync("quality", "online-retail", OnlineRetailReplayTests.DatasetPath!, "--slice", "150",
            "--replicates", "50", "--engine", node.Url, "--api-key", LiveNode.AdminKey);
        log.WriteLine(output);
        log.WriteLine(error);

        // Then every way of asking it has measured values, and they are ranking measures of real lists
        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("not measured yet", output.Split("90-day spend")[0]);
        foreach (var row in new[] { "engine default (GET recommendations)", "engine, max_per_category=10", "engine, max_per_category=10, exclude_bought=false" })
        {
            Assert.InRange(Value(output, row, 3), 0.0, 1.0); // HR@10
            Assert.InRange(Value(output, row, 6), 0.0001, 1.0); // coverage: the lists are not empty
        }
    }

    [Fact]
    public async Task The_command_fails_itself_when_churn_is_predicted_too_well_to_be_true()
    {
        // Everyone who bought in August comes back, nobody who bought only in January does: recency alone has AUC 1.
        var csv = new StringBuilder("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
        var invoice = 500000;
        void Buy(int customer, string day, string item) =>
            csv.Append(CultureInfo.InvariantCulture, $"{invoice++},{item},GIFT,{1 + customer % 3},{day} 10:00:00,{2 + customer % 5}.5,{customer},United Kingdom\n");
        for (var c = 13000; c < 13030; c++)
        {
            var early = c < 13015;
            Buy(c, early ? "2011-01-05" : "2011-08-20", $"I{c % 4}");
            Buy(c, early ? "2011-02-07" : "2011-09-01", $"I{c % 6}");
            if (!early) Buy(c, "2011-10-03", $"I{c % 5}");
        }

        var path = Path.Combine(Path.GetTempPath(), $"leaky-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, csv.ToString());
        try
        {
            var (exitCode, output, error) = await CliRunner.RunAsync("quality", "online-retail", path, "--replicates", "50");

            Assert.Equal(3, exitCode);
            Assert.Contains("Churn (no order in the holdout):", output);
            Assert.Contains("leakage", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The value (before its interval) in the given column of the row that starts with the model's name.</summary>
    private static double Value(string output, string model, int column)
    {
        var row = output.Split('\n').First(l => l.StartsWith(model + " ", StringComparison.Ordinal));
        var cell = row.Split('|')[column].Trim();
        return double.Parse(cell.Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
