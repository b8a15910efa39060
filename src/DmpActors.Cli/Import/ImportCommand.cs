using System.CommandLine;
using System.Globalization;
using DmpActors.Cli.Loadgen;
using DmpActors.Domain.Events;
using ParseResult = System.CommandLine.ParseResult;
using DmpActors.Domain.Import;

namespace DmpActors.Cli.Import;

/// <summary><c>dmpctl import</c>: histories replayed as events, in event-time order, to the events topic (docs/import.md).</summary>
public static class ImportCommand
{
    internal static readonly Argument<FileInfo> RetailFile = new("FILE")
    {
        Description = "The Online Retail CSV, plain or .gz (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country)",
    };

    private static readonly Argument<FileInfo> EventsFileArgument = new("FILE")
    {
        Description = "Events as JSON lines (.jsonl) in the event contract, or CSV (.csv) in the column mapping of docs/import.md; either may be .gz",
    };

    private static readonly Option<DateOnly?> Until = new("--until")
    {
        Description = "Import invoices up to and including this date (yyyy-MM-dd, the shop's local date)",
        HelpName = "date",
    };

    private static readonly Option<string> Zone = new("--time-zone")
    {
        Description = "The zone of InvoiceDate",
        DefaultValueFactory = _ => "Europe/London",
        HelpName = "IANA id",
    };

    private static readonly Option<double?> Speedup = new("--speedup")
    {
        Description = "Replay in event time, this many times faster than it happened (e.g. 86400: a day per second)",
        HelpName = "N",
    };

    private static readonly Option<bool> MaxRate = new("--max-rate")
    {
        Description = "Send as fast as Kafka accepts (the default)",
    };

    public static Command Create()
    {
        var retail = Replay(new Command("online-retail", "Replay the UCI Online Retail transactions as purchase, refund and identify events")
        {
            RetailFile, Until, Zone,
        }, (parse, error) =>
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(parse.GetValue(Zone)!, out var zone))
                throw new ImportException($"unknown time zone '{parse.GetValue(Zone)}'");
            var path = Existing(parse.GetValue(RetailFile)!);
            error.WriteLine($"reading {path}…");
            var invoices = OnlineRetailFile.Read(path, parse.GetValue(Until));
            if (invoices.Count == 0) throw new ImportException("no invoices in the file (or none up to --until)");
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{invoices.Count:N0} invoices from {invoices[0].LocalTime:yyyy-MM-dd} to {invoices[^1].LocalTime:yyyy-MM-dd}"));
            var import = new OnlineRetailImport(zone);
            var events = invoices.SelectMany(i => import.Invoice(i.Lines)).ToList();
            return new History(events, import.Skipped, string.Create(CultureInfo.InvariantCulture, $"{invoices.Count:N0} invoices"));
        });

        var events = Replay(new Command("events", "Replay a history of events from JSON lines or CSV") { EventsFileArgument }, (parse, error) =>
        {
            var path = Existing(parse.GetValue(EventsFileArgument)!);
            error.WriteLine($"reading {path}…");
            var contents = EventsFile.Read(path, DateTimeOffset.UtcNow);
            foreach (var rejected in contents.Rejections.Take(10)) error.WriteLine($"  line {rejected.Line}: {rejected.Rejection}");
            if (contents.Rejections.Count > 10) error.WriteLine($"  … and {contents.Rejections.Count - 10:N0} more rejected");
            var skipped = contents.Rejections.GroupBy(r => r.Rejection.Code).ToDictionary(g => g.Key, g => (long)g.Count());
            var ordered = contents.Events.OrderBy(e => e.Timestamp).ToList(); // stable: equal times keep file order
            return new History(ordered, skipped, string.Create(CultureInfo.InvariantCulture, $"{ordered.Count + contents.Rejections.Count:N0} events read"));
        });

        return new Command("import", "Replay histories as events to Kafka, in event-time order") { retail, events };
    }

    /// <summary>The events of a history in the order to send them, what was left out by reason, and what was read.</summary>
    public sealed record History(IReadOnlyList<UserEvent> Events, IReadOnlyDictionary<string, long> Skipped, string Read);

    public sealed class ImportException(string message) : Exception(message);

    private static string Existing(FileInfo file) => file.Exists ? file.FullName : throw new ImportException($"no such file: {file.FullName}");

    private static Command Replay(Command command, Func<ParseResult, TextWriter, History> load)
    {
        command.Options.Add(Speedup);
        command.Options.Add(MaxRate);
        command.Options.Add(LoadgenCommand.Bootstrap);
        command.Options.Add(LoadgenCommand.Topic);
        command.Options.Add(LoadgenCommand.ConnectTimeout);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Speedup) is { Implicit: false } && result.GetValue(MaxRate))
                result.AddError("use either --speedup or --max-rate, not both");
            if (result.GetValue(Speedup) is <= 0) result.AddError("--speedup must be above 0");
        });
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            History history;
            try
            {
                history = load(parse, error);
            }
            catch (Exception e) when (e is ImportException or FormatException)
            {
                await error.WriteLineAsync($"dmpctl import: {e.Message}");
                return 1;
            }

            await using var sink = new KafkaEventSink(new LoadgenTarget.Kafka(parse.GetValue(LoadgenCommand.Bootstrap)!, parse.GetValue(LoadgenCommand.Topic)!));
            var replay = new EventReplay(sink, parse.GetValue(Speedup), parse.GetValue(LoadgenCommand.ConnectTimeout) ?? TimeSpan.FromSeconds(10));
            return await replay.RunAsync(history, output, error, ct);
        });
        return command;
    }
}
