using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DmpActors.Benchmarks.Infra;
using DmpActors.Engine.Hosting;
using DmpActors.Traffic.Measurement;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>An event whose effect a probe waits for: the entity it went to and its 1-based ordinal among that entity's events.</summary>
public sealed record ProbedEvent(long Index, string UserId, long UserSequence);

/// <summary>
/// Says when the effect of one produced event became observable. The latency harness times every probe from the
/// event's intended send time; later features (segment changes, webhooks, recommendations) add their own probe.
/// </summary>
public interface IEffectProbe
{
    /// <summary>Short name for tables.</summary>
    string Name { get; }

    /// <summary>One line saying what "observable" means and through which path it is read.</summary>
    string Description { get; }

    /// <summary>Completes once the effect of <paramref name="e"/> is observable (cancelled: gave up).</summary>
    Task WaitObservableAsync(ProbedEvent e, CancellationToken ct);
}

/// <summary>The profile probe: polls <see cref="DmpEngine.GetProfileAsync"/> (an ask to the user entity, read-your-writes) until EventsApplied reaches the event's ordinal.</summary>
public sealed class ProfileProbe(DmpEngine engine, TimeSpan pollInterval) : IEffectProbe
{
    public string Name => "profile";

    public string Description =>
        $"`DmpEngine.GetProfileAsync` (ask to the sharded user entity, in-process, no HTTP) polled every {pollInterval.TotalMilliseconds:0} ms until the profile's EventsApplied reaches the event's ordinal for that user";

    public async Task WaitObservableAsync(ProbedEvent e, CancellationToken ct)
    {
        while (true)
        {
            var profile = await engine.GetProfileAsync(e.UserId, TimeSpan.FromSeconds(10), ct);
            if (profile is not null && profile.EventsApplied >= e.UserSequence) return;
            await Task.Delay(pollInterval, ct);
        }
    }
}

/// <summary>
/// Event produced → effect observable, coordinated-omission-free: page_view events are produced to the engine's events
/// topic on a <see cref="FixedSchedule"/> at 25/50/75 % of the end-to-end maximum rate (measured first, or --max-rate),
/// a sample of them is probed, and each latency is measured from the event's intended send time.
/// </summary>
public static class LatencyWorkload
{
    private static readonly double[] Fractions = [0.25, 0.50, 0.75];

    public sealed record LoadResult(int OfferedPerSecond, double SentPerSecond, long Sent, int Probed, int Observed, int GaveUp, LatencySummary? LatencyMs);

    public static async Task<int> RunAsync(Args args, string command)
    {
        var maxRateArg = args.Int("max-rate", 0);
        var seconds = args.Int("seconds", 30);
        var burst = args.Int("burst", 200_000);
        var users = args.Int("users", 1_000);
        var probesPerSecond = args.Int("probes-per-second", 200);
        var pollMs = args.Int("poll-ms", 2);
        args.EnsureAllKnown();

        await using var host = await InProcessEngine.StartAsync(ingest: true);
        var engine = host.Engine;
        IEffectProbe probe = new ProfileProbe(engine, TimeSpan.FromMilliseconds(pollMs));
        using var producer = FixedRateSender.Producer(host.BootstrapServers, lingerMs: 0);
        var topic = engine.Options.Kafka.EventsTopic;

        double maxRate;
        string maxRateSource;
        if (maxRateArg > 0) (maxRate, maxRateSource) = (maxRateArg, "given with --max-rate");
        else
        {
            maxRate = await MeasureMaxRateAsync(engine, producer, topic, burst, users);
            maxRateSource = $"measured: {burst:N0} events to {users:N0} users produced as fast as possible, until the last event of every user was visible";
        }
        Console.WriteLine($"latency: max rate {maxRate:N0} ev/s ({maxRateSource}); loads {string.Join(", ", Fractions.Select(f => $"{f:P0}"))}, {seconds} s each, probe: {probe.Name}");

        var results = new List<LoadResult>();
        foreach (var load in FixedSchedule.LoadsAt(maxRate, Fractions))
        {
            var result = await RunLoadAsync(producer, topic, probe, load, TimeSpan.FromSeconds(seconds), users, probesPerSecond);
            Console.WriteLine($"  {Report.Rate(load)} ev/s: sent {result.SentPerSecond:N0} ev/s, observed {result.Observed}/{result.Probed}; p50/p99/p999 {Ms(result.LatencyMs?.P50)}/{Ms(result.LatencyMs?.P99)}/{Ms(result.LatencyMs?.P999)}");
            results.Add(result);
        }

        var rows = string.Join(Environment.NewLine, results.Select((r, i) =>
            $"| {Fractions[i]:P0} | {r.OfferedPerSecond:N0} | {r.SentPerSecond:N0} | {r.Observed:N0} / {r.Probed:N0}{(r.GaveUp > 0 ? $" ({r.GaveUp} gave up after 60 s)" : "")} | " +
            $"{Ms(r.LatencyMs?.P50)} | {Ms(r.LatencyMs?.P99)} | {Ms(r.LatencyMs?.P999)} | {Ms(r.LatencyMs?.Max)} |"));
        var md = Report.Header($"latency: event produced → {probe.Name} visible, {seconds} s per load, 1 node", command) + $"""
            - path: Confluent producer (acks=1, linger 0) → embedded broker, topic `{topic}` ({engine.Options.Kafka.Partitions} partitions, key = user id) → the engine's ingest (SQLite, defaults) → sharded user entity applies the event.
            - visible: {probe.Description}.
            - max rate: **{maxRate:N0} ev/s** ({maxRateSource}).
            - schedule: event i of a load is due at i / rate (fixed timeline); latency = time the probe saw the effect − the event's **intended** send time, so a stalled sender is charged, not omitted. Events go round-robin to {users:N0} users per load (fresh ids per load; each user's first event creates its entity); about {probesPerSecond} events/s are probed, the rest are load. The poll interval adds up to {pollMs} ms.

            | load | offered ev/s | sent ev/s | probes observed | p50 | p99 | p999 | max |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {rows}

            Producer, broker, engine and probes share the same {Environment.ProcessorCount} cores.
            """;
        Console.WriteLine(md);
        Report.Write("latency", md, command, new { seconds, users, probes_per_second = probesPerSecond, poll_ms = pollMs, probe = probe.Name, max_rate = maxRate, max_rate_source = maxRateSource, loads = results });
        if (produceErrors > 0) Console.Error.WriteLine($"{produceErrors:N0} produce errors");
        return results.All(r => r.GaveUp == 0) && produceErrors == 0 ? 0 : 2;
    }

    private static string Ms(double? ms) => ms is { } v ? $"{v:0.0} ms" : "-";

    /// <summary>A page_view for the event's user, timestamped with its intended send time (event_id unique per run and event).</summary>
    private static Message<byte[]?, byte[]> PageView(string run, long index, string userId, DateTimeOffset timestamp)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event_id", $"{run}-{index}");
            json.WriteString("type", "page_view");
            json.WriteString("user_id", userId);
            json.WriteString("timestamp", timestamp);
            json.WriteStartObject("properties");
            json.WriteString("session_id", $"{userId}-s");
            json.WriteString("url", $"https://shop.example/p/{index % 997}");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(userId), Value = buffer.WrittenSpan.ToArray() };
    }

    private static ProbedEvent EventFor(string run, long index, int users) => new(index, $"{run}-u{index % users}", index / users + 1);

    private static long produceErrors;

    private static void ProduceOrWait(IProducer<byte[]?, byte[]> producer, string topic, Message<byte[]?, byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, r => { if (r.Error.IsError) Interlocked.Increment(ref produceErrors); });
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    /// <summary>End-to-end maximum: a burst produced as fast as possible, timed until the last event of every user is visible.</summary>
    private static async Task<double> MeasureMaxRateAsync(DmpEngine engine, IProducer<byte[]?, byte[]> producer, string topic, int burst, int users)
    {
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        for (long i = 0; i < burst; i++)
        {
            var e = EventFor("max", i, users);
            ProduceOrWait(producer, topic, PageView("max", i, e.UserId, now));
        }
        producer.Flush(TimeSpan.FromMinutes(1));
        var lastOfEachUser = Enumerable.Range(0, Math.Min(users, burst)).Select(k => EventFor("max", burst - 1 - k, users));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        foreach (var e in lastOfEachUser) await WaitVisibleAsync(engine, e, timeout.Token);
        var elapsed = clock.Elapsed;
        Console.WriteLine($"max rate: {burst:N0} events visible in {elapsed.TotalSeconds:0.00} s = {burst / elapsed.TotalSeconds:N0} ev/s");
        return burst / elapsed.TotalSeconds;
    }

    private static async Task WaitVisibleAsync(DmpEngine engine, ProbedEvent e, CancellationToken ct)
    {
        while ((await engine.GetProfileAsync(e.UserId, TimeSpan.FromSeconds(10), ct))?.EventsApplied < e.UserSequence) await Task.Delay(5, ct);
    }

    private static async Task<LoadResult> RunLoadAsync(IProducer<byte[]?, byte[]> producer, string topic, IEffectProbe probe, int rate, TimeSpan duration,
        int users, int probesPerSecond)
    {
        var run = $"l{rate}";
        var schedule = FixedSchedule.For(rate, duration);
        var sampleEvery = Math.Max(1, rate / Math.Max(1, probesPerSecond));
        var samples = new ConcurrentBag<IntendedLatency>();
        var probes = new List<Task>();
        var gaveUp = 0;
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var sending = await Task.Factory.StartNew(() => FixedRateSender.Run(schedule, clock, i =>
        {
            var e = EventFor(run, i, users);
            var intended = schedule.IntendedOffset(i);
            ProduceOrWait(producer, topic, PageView(run, i, e.UserId, start + intended));
            if (i % sampleEvery != 0) return;
            probes.Add(Task.Run(async () =>
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await probe.WaitObservableAsync(e, limit.Token);
                    samples.Add(new IntendedLatency(i, intended, clock.Elapsed));
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref gaveUp);
                }
            }));
        }), TaskCreationOptions.LongRunning);
        await Task.WhenAll(probes);
        return new LoadResult(rate, schedule.Total / sending.TotalSeconds, schedule.Total, probes.Count, samples.Count, gaveUp, IntendedLatency.SummaryMs(samples));
    }
}
