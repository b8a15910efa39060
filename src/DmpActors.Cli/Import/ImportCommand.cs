using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DmpActors.Cli.Common;
using DmpActors.Cli.Loadgen;
using DmpActors.Domain.Events;
using DmpActors.Domain.Import;
using DmpActors.Traffic;

namespace DmpActors.Cli.Import;

/// <summary><c>dmpctl import online-retail FILE</c>: replays the UCI Online Retail transactions as events, in event-time
/// order, to the events topic (docs/import.md).</summary>
public static class ImportCommand
{
    private static readonly Argument<FileInfo> File = new("FILE")
    {
        Description = "The Online Retail CSV, plain or .gz (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country)",
    };

    private static readonly Option<DateOnly?> Until = new("--until")
    {
        Description = "Import invoices up to and including this date (yyyy-MM-dd, the shop's local date)",
        HelpName = "date",
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

    private static readonly Option<string> Zone = new("--time-zone")
    {
        Description = "The zone of InvoiceDate",
        DefaultValueFactory = _ => "Europe/London",
        HelpName = "IANA id",
    };

    public static Command Create()
    {
        var retail = new Command("online-retail", "Replay the UCI Online Retail transactions as purchase, refund and identify events")
        {
            File, Until, Speedup, MaxRate, Zone, LoadgenCommand.Bootstrap, LoadgenCommand.Topic, LoadgenCommand.ConnectTimeout,
        };
        retail.Validators.Add(result =>
        {
            if (result.GetResult(Speedup) is { Implicit: false } && result.GetValue(MaxRate))
                result.AddError("use either --speedup or --max-rate, not both");
            if (result.GetValue(Speedup) is <= 0) result.AddError("--speedup must be above 0");
        });
        retail.SetAction(async (parse, ct) =>
        {
            var target = new LoadgenTarget.Kafka(parse.GetValue(LoadgenCommand.Bootstrap)!, parse.GetValue(LoadgenCommand.Topic)!);
            await using var sink = new KafkaEventSink(target);
            var settings = new ImportSettings(parse.GetValue(File)!.FullName, parse.GetValue(Until), parse.GetValue(Speedup),
                parse.GetValue(Zone)!, parse.GetValue(LoadgenCommand.ConnectTimeout) ?? TimeSpan.FromSeconds(10));
            return await RunAsync(settings, sink, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return new Command("import", "Import event histories") { retail };
    }

    public sealed record ImportSettings(string Path, DateOnly? Until, double? Speedup, string TimeZone, TimeSpan ConnectTimeout);

    /// <returns>0 when every event was delivered; 1 otherwise.</returns>
    public static async Task<int> RunAsync(ImportSettings settings, IEventSink sink, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!System.IO.File.Exists(settings.Path))
        {
            await error.WriteLineAsync($"dmpctl import: no such file: {settings.Path}");
            return 1;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var zone))
        {
            await error.WriteLineAsync($"dmpctl import: unknown time zone '{settings.TimeZone}'");
            return 1;
        }

        await error.WriteLineAsync($"reading {settings.Path}…");
        var invoices = OnlineRetailFile.Read(settings.Path, settings.Until);
        if (invoices.Count == 0)
        {
            await error.WriteLineAsync("dmpctl import: no invoices in the file (or none up to --until)");
            return 1;
        }

        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{invoices.Count:N0} invoices from {invoices[0].LocalTime:yyyy-MM-dd} to {invoices[^1].LocalTime:yyyy-MM-dd}"));
        try
        {
            await sink.ConnectAsync(settings.ConnectTimeout, ct);
        }
        catch (TargetUnreachableException e)
        {
            await error.WriteLineAsync($"dmpctl import: {e.Message}");
            return 1;
        }

        var import = new OnlineRetailImport(zone);
        var byType = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var firstAt = import.TimeOf(invoices[0].LocalTime);
        for (var i = 0; i < invoices.Count; i++)
        {
            var events = import.Invoice(invoices[i].Lines);
            if (settings.Speedup is { } speedup && events.Count > 0)
            {
                var due = (events[0].Timestamp - firstAt) / speedup;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
            }

            foreach (var e in events)
            {
                var type = Domain.Events.EventTypes.ToWire(e.Type);
                await sink.SendAsync(new GeneratedEvent(e.EntityId, EventWriter.ToUtf8Json(e), e.EntityId, type), ct);
                byType[type] = byType.GetValueOrDefault(type) + 1;
            }

            if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1) || i == invoices.Count - 1)
            {
                lastProgress = clock.Elapsed;
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {i + 1,9:N0} / {invoices.Count:N0} invoices ({100.0 * (i + 1) / invoices.Count,5:0.0} %)  at {invoices[i].LocalTime:yyyy-MM-dd}  {sink.Delivered:N0} events delivered"));
            }
        }

        await sink.FlushAsync(TimeSpan.FromSeconds(60), ct);
        var sent = byType.Values.Sum();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"imported {invoices.Count:N0} invoices as {sent:N0} events ({string.Join(", ", byType.Select(t => $"{t.Value:N0} {t.Key}"))}) in {clock.Elapsed.TotalSeconds:0.0} s"));
        await output.WriteLineAsync(import.Skipped.Count == 0
            ? "skipped: nothing"
            : "skipped: " + string.Join(", ", import.Skipped.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value:N0} {s.Key}")));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"delivered {sink.Delivered:N0}, failed {sink.Failed:N0}"));
        if (sink.Failed == 0 && sink.Delivered == sent) return 0;
        await error.WriteLineAsync($"dmpctl import: not every event was delivered{(sink.LastError is { } last ? $" (last error: {last})" : "")}");
        return 1;
    }
}
