using System.Diagnostics;
using System.Globalization;
using DmpActors.Cli.Loadgen;
using DmpActors.Domain.Events;
using DmpActors.Traffic;

namespace DmpActors.Cli.Import;

/// <summary>Sends a history's events in their order, as fast as the sink accepts or in compressed event time, with a
/// progress line every second and a summary.</summary>
public sealed class EventReplay(IEventSink sink, double? speedup, TimeSpan connectTimeout)
{
    /// <returns>0 when every event was delivered; 1 otherwise.</returns>
    public async Task<int> RunAsync(ImportCommand.History history, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var events = history.Events;
        if (events.Count == 0)
        {
            await error.WriteLineAsync("dmpctl import: nothing to send");
            return 1;
        }

        try
        {
            await sink.ConnectAsync(connectTimeout, ct);
        }
        catch (TargetUnreachableException e)
        {
            await error.WriteLineAsync($"dmpctl import: {e.Message}");
            return 1;
        }

        var byType = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var firstAt = events[0].Timestamp;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (speedup is { } n && (e.Timestamp - firstAt) / n is var due && due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, ct);
            var type = Domain.Events.EventTypes.ToWire(e.Type);
            await sink.SendAsync(new GeneratedEvent(e.EntityId, EventWriter.ToUtf8Json(e), e.EntityId, type), ct);
            byType[type] = byType.GetValueOrDefault(type) + 1;
            if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1) || i == events.Count - 1)
            {
                lastProgress = clock.Elapsed;
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {i + 1,9:N0} / {events.Count:N0} events ({100.0 * (i + 1) / events.Count,5:0.0} %)  at {e.Timestamp:yyyy-MM-dd}  {sink.Delivered:N0} delivered"));
            }
        }

        await sink.FlushAsync(TimeSpan.FromSeconds(60), ct);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"imported {history.Read} as {events.Count:N0} events ({string.Join(", ", byType.Select(t => $"{t.Value:N0} {t.Key}"))}) in {clock.Elapsed.TotalSeconds:0.0} s"));
        await output.WriteLineAsync(history.Skipped.Count == 0
            ? "skipped: nothing"
            : "skipped: " + string.Join(", ", history.Skipped.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value:N0} {s.Key}")));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"delivered {sink.Delivered:N0}, failed {sink.Failed:N0}"));
        if (sink.Failed == 0 && sink.Delivered == events.Count) return 0;
        await error.WriteLineAsync($"dmpctl import: not every event was delivered{(sink.LastError is { } last ? $" (last error: {last})" : "")}");
        return 1;
    }
}
