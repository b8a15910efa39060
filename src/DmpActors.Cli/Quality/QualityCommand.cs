using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Import;
using DmpActors.Domain.Quality;

namespace DmpActors.Cli.Quality;

/// <summary><c>dmpctl quality online-retail FILE</c>: the baselines of recommendations, spend and churn measured on a
/// split of the Online Retail history by time, printed as tables and written as a markdown report (docs/quality.md).</summary>
public static class QualityCommand
{
    public static readonly DateOnly LastHistoryDay = new(2011, 9, 9);
    public static readonly DateOnly LastHoldoutDay = new(2011, 12, 9);
    public const string Zone = "Europe/London";

    /// <summary>The validation split, carved from the history only: its last 91 days are the validation holdout.</summary>
    public static readonly DateOnly ValidationLastHistoryDay = new(2011, 6, 9);

    private static readonly Option<int?> Slice = new("--slice")
    {
        Description = "Measure on the first N customers only (ordinal order of CustomerID), for a quick run of the same code",
        HelpName = "N customers",
    };

    private static readonly Option<FileInfo?> Out = new("--out")
    {
        Description = "Also write the tables as a markdown report to this file (e.g. docs/quality.md)",
        HelpName = "file",
    };

    private static readonly Option<int> Replicates = new("--replicates")
    {
        Description = "Bootstrap resamples per interval",
        DefaultValueFactory = _ => Bootstrap.DefaultReplicates,
        HelpName = "N",
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of the bootstrap resamples",
        DefaultValueFactory = _ => 1,
        HelpName = "N",
    };

    private static readonly Option<Uri?> Engine = new("--engine")
    {
        Description = "Also measure the recommendations of the engine at this URL, which has consumed the history in event time " +
            "(Dmp:Profiles:Clock=event; dmpctl import online-retail FILE --until 2011-09-09)",
        HelpName = "url",
        CustomParser = NodeConnection.ParseHost,
    };

    private static readonly Option<TimeSpan> EngineWait = new("--engine-wait")
    {
        Description = "How long to wait for the engine to hold every customer's history",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        HelpName = "timespan",
    };

    private static readonly Option<bool> Validation = new("--validation")
    {
        Description = $"Split the history itself: up to {ValidationLastHistoryDay:yyyy-MM-dd} against the 91 days after it (for tuning; never the holdout)",
    };

    private static readonly Option<Uri?> TunedEngine = new("--tuned-engine")
    {
        Description = "Also measure a second engine (e.g. one started with other Dmp:Recommendations:Weights), its rows named by --tuned-name",
        HelpName = "url",
        CustomParser = NodeConnection.ParseHost,
    };

    private static readonly Option<string> TunedName = new("--tuned-name")
    {
        Description = "What the --tuned-engine rows are called in the tables",
        DefaultValueFactory = _ => "engine, tuned weights",
        HelpName = "text",
    };

    public static Command Create()
    {
        var retail = new Command("online-retail",
            $"Baselines on Online Retail: history up to {LastHistoryDay:yyyy-MM-dd}, holdout to {LastHoldoutDay:yyyy-MM-dd} ({Zone})")
        {
            ImportCommand.RetailFile, Slice, Out, Replicates, Seed, Engine, EngineWait, TunedEngine, TunedName, Validation, NodeConnection.ApiKey,
        };
        retail.Validators.Add(result =>
        {
            if (result.GetValue(Slice) is <= 0) result.AddError("--slice must be above 0");
            // An option left out has no result here (its default applies later): judge only what was given.
            if (result.GetResult(Replicates) is { Implicit: false } && result.GetValue(Replicates) <= 0) result.AddError("--replicates must be above 0");
        });
        retail.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var file = parse.GetValue(ImportCommand.RetailFile)!;
            if (!file.Exists)
            {
                await error.WriteLineAsync($"dmpctl quality: no such file: {file.FullName}");
                return 1;
            }

            var clock = Stopwatch.StartNew();
            void Progress(string step) => error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:0.0}s] {step}"));
            QualityResults results;
            try
            {
                Progress($"reading {file.FullName}…");
                var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
                var invoices = OnlineRetailFile.Read(file.FullName);
                var orders = Purchases.FromInvoices(invoices.Select(i => i.Lines), zone);
                var (lastHistory, lastHoldout) = parse.GetValue(Validation) ? (ValidationLastHistoryDay, LastHistoryDay) : (LastHistoryDay, LastHoldoutDay);
                var split = TimeSplit.Of(orders, lastHistory, lastHoldout, zone, parse.GetValue(Slice));
                Progress($"{orders.Count:N0} orders of known customers; {split.Customers.Count:N0} customers with a history before {split.Cutoff:yyyy-MM-dd HH:mm zzz}");
                var lists = new List<(string, IReadOnlyDictionary<string, IReadOnlyList<string>>)>();
                var buyers = split.Customers.Where(c => split.HoldoutOf(c).Count > 0).ToDictionary(c => c, c => split.History[c].Count, StringComparer.Ordinal);
                var key = NodeConnection.FindKey(parse.GetValue(NodeConnection.ApiKey));
                var asked = new[] { (Url: parse.GetValue(Engine), Variants: EngineRecommendations.Variants),
                    (Url: parse.GetValue(TunedEngine), Variants: EngineRecommendations.Tuned(parse.GetValue(TunedName)!)) };
                foreach (var (url, variants) in asked)
                {
                    if (url is null) continue;
                    using var client = new AdminClient(url, key);
                    var anyItem = split.History.Values.SelectMany(o => o).SelectMany(o => o.Items).First();
                    lists.AddRange(await EngineRecommendations.AskAsync(client, buyers, variants, QualityEvaluation.K, lastHistory, anyItem,
                        parse.GetValue(EngineWait), Progress, ct));
                }

                var (replicates, seed) = (parse.GetValue(Replicates), parse.GetValue(Seed));
                var answers = await Task.Run(() => EngineModels.Measure(invoices, split, lastHistory, zone, replicates, seed, Progress, lists), ct);
                results = await Task.Run(() => QualityEvaluation.Run(split, replicates, seed, Progress, answers), ct);
            }
            catch (FormatException e)
            {
                await error.WriteLineAsync($"dmpctl quality: {e.Message}");
                return 1;
            }
            catch (AdminException e)
            {
                await error.WriteLineAsync($"dmpctl quality: {e.Message}");
                return e.ExitCode;
            }

            foreach (var table in results.Tables)
            {
                await output.WriteLineAsync($"{table.Title}:");
                await output.WriteLineAsync(Table.Format(QualityReport.Rows(table)));
                await output.WriteLineAsync();
            }

            await output.WriteLineAsync("Targets:");
            await output.WriteLineAsync(Table.Format(new[] { (IReadOnlyList<string>)["measure", "target", "best baseline", "engine", "met"] }
                .Concat(QualityReport.Targets(results).Select(t => (IReadOnlyList<string>)[t.Measure, t.Target, t.Baseline, t.Engine, t.Met]))));
            await output.WriteLineAsync();

            if (results.LooksLeaky)
            {
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"dmpctl quality: a churn AUC of {results.HighestChurnAuc:0.000} is above {QualityResults.LeakageAuc}: the scores see the holdout (leakage); no report written"));
                return 3;
            }

            if (parse.GetValue(Out) is { } report)
            {
                var command = "dmpctl quality online-retail " + string.Join(' ', parse.Tokens.Skip(2).Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));
                await File.WriteAllTextAsync(report.FullName, QualityReport.Markdown(results, command, DateTimeOffset.UtcNow), ct);
                Progress($"wrote {report.FullName}");
            }

            Progress("done");
            return 0;
        });
        return new Command("quality", "Measure models and their baselines on real data") { retail };
    }
}
