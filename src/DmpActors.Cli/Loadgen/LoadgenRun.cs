using System.Diagnostics;
using DmpActors.Cli.Common;
using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>
/// Drives the generator into a sink on a fixed schedule: event i is due at start + i / rate, so a
/// late wake-up is caught up rather than accumulated as drift. Reports once per second on stderr.
/// </summary>
public sealed class LoadgenRun(LoadgenSettings settings, IEventSink sink, TextWriter console, TimeProvider clock)
{
    private const int MaxBurst = 5_000;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var generator = new TrafficGenerator(settings.Traffic);
        try
        {
            await sink.ConnectAsync(settings.ConnectTimeout, cancellationToken);
        }
        catch (TargetUnreachableException e)
        {
            await console.WriteLineAsync($"dmpctl loadgen: {e.Message}");
            return LoadgenCommand.ExitUnreachable;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }

        await console.WriteLineAsync(
            $"loadgen → {settings.Target}: rate {(settings.Rate == 0 ? "max" : $"{settings.Rate:N0}/s")}, " +
            $"{settings.Traffic.Users:N0} users, seed {settings.Traffic.Seed}, run {settings.Traffic.RunId}, " +
            (settings.Events is { } n ? $"{n:N0} events" : settings.Duration is { } d ? $"for {Durations.Format(d)}" : "until Ctrl+C"));
        if (settings.GroundTruthPath is { } truthPath)
        {
            var truth = generator.GroundTruth();
            await truth.WriteAsync(truthPath, cancellationToken);
            await console.WriteLineAsync($"ground truth ({truth.Groups.Count} groups, {truth.Users.Count:N0} users) written to {Path.GetFullPath(truthPath)}");
        }

        var stopwatch = Stopwatch.StartNew();
        long sent = 0, invalid = 0, sentAtLastReport = 0;
        var nextReport = TimeSpan.FromSeconds(1);
        var lastReport = TimeSpan.Zero;
        string? abort = null;

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var elapsed = stopwatch.Elapsed;
                if (settings.Duration is { } duration && elapsed >= duration) break;
                var remaining = settings.Events is { } total ? total - sent : long.MaxValue;
                if (remaining <= 0) break;

                var due = settings.Rate == 0 ? MaxBurst : (long)(elapsed.TotalSeconds * settings.Rate) + 1 - sent;
                var burst = Math.Min(Math.Min(due, MaxBurst), remaining);
                if (burst > 0)
                {
                    var now = clock.GetUtcNow();
                    for (var i = 0; i < burst; i++)
                    {
                        var generated = generator.Next(now);
                        if (generated.IsDeliberatelyInvalid) invalid++;
                        await sink.SendAsync(generated, cancellationToken);
                    }
                    sent += burst;
                }
                else
                {
                    await sink.IdleAsync(cancellationToken);
                    var nextDue = TimeSpan.FromSeconds(sent / settings.Rate) - stopwatch.Elapsed;
                    if (nextDue > TimeSpan.FromMilliseconds(1))
                        await Task.Delay(nextDue < TimeSpan.FromMilliseconds(100) ? nextDue : TimeSpan.FromMilliseconds(100), cancellationToken);
                }

                if (stopwatch.Elapsed >= nextReport)
                {
                    var at = stopwatch.Elapsed;
                    await ReportAsync(at, sent, (sent - sentAtLastReport) / (at - lastReport).TotalSeconds);
                    sentAtLastReport = sent;
                    lastReport = at;
                    nextReport += TimeSpan.FromSeconds(1);
                    if (nextReport < at) nextReport = at + TimeSpan.FromSeconds(1);
                }

                // A target that accepted the connection but delivers nothing is as good as unreachable.
                if (sink.Delivered == 0 && sink.Rejected == 0 && sent > 0 && stopwatch.Elapsed >= settings.ConnectTimeout)
                {
                    abort = $"no event delivered to {settings.Target} within {settings.ConnectTimeout.TotalSeconds:0.#}s" +
                            (sink.LastError is { } why ? $": {why}" : "");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends an open-ended run; what was sent is still flushed and summarised.
        }

        if (abort is not null)
        {
            await console.WriteLineAsync($"dmpctl loadgen: {abort}");
            return LoadgenCommand.ExitUnreachable;
        }

        try
        {
            await sink.FlushAsync(FlushTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            await console.WriteLineAsync($"dmpctl loadgen: gave up waiting {FlushTimeout.TotalSeconds:0}s for outstanding deliveries");
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var unaccounted = sent - sink.Delivered - sink.Rejected - sink.Failed;
        await console.WriteLineAsync(
            $"loadgen done: sent {sent:N0} events in {seconds:0.0}s ({sent / Math.Max(seconds, 1e-9):N0}/s), " +
            $"delivered {sink.Delivered:N0}, rejected {sink.Rejected:N0}, errors {sink.Failed + unaccounted:N0}, deliberately invalid {invalid:N0}" +
            (sink.Failed + unaccounted > 0 && sink.LastError is { } last ? $"; last error: {last}" : ""));
        return sink.Failed + unaccounted > 0 ? LoadgenCommand.ExitDeliveryErrors : 0;
    }

    private Task ReportAsync(TimeSpan elapsed, long sent, double rate) => console.WriteLineAsync(
        $"[{Durations.Format(elapsed),8}] sent {sent:N0}  rate {rate:N0}/s  delivered {sink.Delivered:N0}  errors {sink.Failed:N0}");
}
