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
/// Reads how far the effects of one user's events have become observable: one read, no waiting. The harness
/// (<see cref="ProbePoller"/>) polls the users it watches and times every probed event from its intended send time;
/// later features (segment changes, webhooks, recommendations) add their own probe.
/// </summary>
public interface IEffectProbe
{
    /// <summary>Short name for tables.</summary>
    string Name { get; }

    /// <summary>One line saying what "observable" means and through which path it is read.</summary>
    string Description { get; }

    /// <summary>One read: how many of the user's events (in the order they were produced) have an observable effect.</summary>
    Task<long> ObservedAsync(string userId, CancellationToken ct);
}

/// <summary>The profile probe: asks the user entity through <see cref="DmpEngine.GetProfileAsync"/> (read-your-writes) for EventsApplied.</summary>
public sealed class ProfileProbe(DmpEngine engine) : IEffectProbe
{
    public string Name => "profile";

    public string Description =>
        "`DmpEngine.GetProfileAsync` (ask to the sharded user entity, in-process, no HTTP): the profile's EventsApplied has reached the event's ordinal for that user";

    public async Task<long> ObservedAsync(string userId, CancellationToken ct) =>
        (await engine.GetProfileAsync(userId, TimeSpan.FromSeconds(10), ct))?.EventsApplied ?? 0;
}

/// <summary>
/// Watches probed events and polls their users: each poll round reads every user with something outstanding once
/// (at most <c>maxReadsInFlight</c> reads at a time) and completes all of that user's events the read covers, then
/// waits <c>interval</c>. Probing a few users keeps the read rate at most users / interval however slow the engine
/// gets; polling per event instead measures itself (every waiting probe adds reads, reads slow the engine, slower
/// effects mean more waiting probes).
/// </summary>
public sealed class ProbePoller : IAsyncDisposable
{
    private readonly IEffectProbe _probe;
    private readonly TimeSpan _interval;
    private readonly int _maxReadsInFlight;
    private readonly Dictionary<string, SortedList<long, TaskCompletionSource>> _outstanding = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _reads;

    public ProbePoller(IEffectProbe probe, TimeSpan interval, int maxReadsInFlight)
    {
        (_probe, _interval, _maxReadsInFlight) = (probe, interval, maxReadsInFlight);
        _loop = Task.Run(PollAsync);
    }

    public long Reads => Interlocked.Read(ref _reads);

    public string Describe => $"every {_interval.TotalMilliseconds:0} ms each watched user with an outstanding event is read once (at most {_maxReadsInFlight} reads in flight)";

    /// <summary>Completes once the effect of <paramref name="e"/> is observable.</summary>
    public Task WatchAsync(ProbedEvent e)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_outstanding)
        {
            if (!_outstanding.TryGetValue(e.UserId, out var events)) _outstanding[e.UserId] = events = new SortedList<long, TaskCompletionSource>();
            events[e.UserSequence] = done;
        }
        return done.Task;
    }

    private async Task PollAsync()
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxReadsInFlight, CancellationToken = _stop.Token };
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                string[] users;
                lock (_outstanding) users = [.. _outstanding.Keys];
                await Parallel.ForEachAsync(users, options, async (user, ct) =>
                {
                    Interlocked.Increment(ref _reads);
                    var observed = await _probe.ObservedAsync(user, ct);
                    lock (_outstanding)
                    {
                        var events = _outstanding[user];
                        while (events.Count > 0 && events.Keys[0] <= observed)
                        {
                            events.Values[0].TrySetResult();
                            events.RemoveAt(0);
                        }
                        if (events.Count == 0) _outstanding.Remove(user);
                    }
                });
                await Task.Delay(_interval, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop; // a probe that failed surfaces here
        _stop.Dispose();
    }
}

/// <summary>
/// Event produced → effect observable, coordinated-omission-free: page_view events are produced to the engine's events
/// topic on a <see cref="FixedSchedule"/> at 25/50/75 % of the end-to-end maximum rate (measured first, or --max-rate),
/// every event of a few probe users is watched, and each latency is measured from the event's intended send time.
/// </summary>
public static class LatencyWorkload
{
    private static readonly double[] Fractions = [0.25, 0.50, 0.75];

    public sealed record LoadResult(int OfferedPerSecond, double SentPerSecond, long Sent, int Probed, int Observed, int GaveUp, double ProbeReadsPerSecond, LatencySummary? LatencyMs);

    public static async Task<int> RunAsync(Args args, string command)
    {
        var maxRateArg = args.Int("max-rate", 0);
        var seconds = args.Int("seconds", 30);
        var burst = args.Int("burst", 200_000);
        var users = args.Int("users", 1_000);
        var probeKind = args.String("probe") ?? "http";
        var http = probeKind switch
        {
            "http" => true,
            "profile" => false,
            _ => throw new ArgumentException($"--probe must be http or profile, got '{probeKind}'"),
        };
        var probeUsers = args.Int("probe-users", 8);
        var pollMs = args.Int("poll-ms", 10);
        var lingerMs = args.Int("linger-ms", 5);
        var readsInFlight = args.Int("reads-in-flight", 4);
        if (probeUsers < 1 || probeUsers > users) throw new ArgumentException($"--probe-users must be 1..{users} (--users), got {probeUsers}");
        var hostDll = args.String("host-dll") ?? HostProcessTarget.DefaultHostDll();
        args.EnsureAllKnown();

        var pollInterval = TimeSpan.FromMilliseconds(pollMs);
        await using ILatencyTarget target = http
            ? await HostProcessTarget.StartAsync(hostDll)
            : await InProcessTarget.StartAsync();
        var probe = target.Probe;
        await using var poller = new ProbePoller(probe, pollInterval, readsInFlight);
        using var producer = FixedRateSender.Producer(target.BootstrapServers, lingerMs);
        var topic = target.Topic;

        double maxRate;
        string maxRateSource;
        if (maxRateArg > 0) (maxRate, maxRateSource) = (maxRateArg, "given with --max-rate");
        else
        {
            maxRate = await MeasureMaxRateAsync(poller, producer, topic, burst, users, probeUsers);
            maxRateSource = $"measured: {burst:N0} events to {users:N0} users produced as fast as possible, until the last event of every user was visible";
        }
        Console.WriteLine($"latency: max rate {maxRate:N0} ev/s ({maxRateSource}); loads {string.Join(", ", Fractions.Select(f => $"{f:P0}"))}, {seconds} s each, probe: {probe.Name}");

        var results = new List<LoadResult>();
        foreach (var load in FixedSchedule.LoadsAt(maxRate, Fractions))
        {
            var result = await RunLoadAsync(producer, topic, poller, load, TimeSpan.FromSeconds(seconds), users, probeUsers);
            Console.WriteLine($"  {Report.Rate(load)} ev/s: sent {result.SentPerSecond:N0} ev/s, observed {result.Observed}/{result.Probed} ({result.ProbeReadsPerSecond:N0} reads/s); p50/p99/p999 {Ms(result.LatencyMs?.P50)}/{Ms(result.LatencyMs?.P99)}/{Ms(result.LatencyMs?.P999)}");
            results.Add(result);
        }

        var rows = string.Join(Environment.NewLine, results.Select((r, i) =>
            $"| {Fractions[i]:P0} | {r.OfferedPerSecond:N0} | {r.SentPerSecond:N0} | {r.Observed:N0} / {r.Probed:N0}{(r.GaveUp > 0 ? $" ({r.GaveUp} gave up after 60 s)" : "")} | " +
            $"{r.ProbeReadsPerSecond:N0} | {Ms(r.LatencyMs?.P50)} | {Ms(r.LatencyMs?.P99)} | {Ms(r.LatencyMs?.P999)} | {Ms(r.LatencyMs?.Max)} |"));
        var md = Report.Header($"latency: event produced → {probe.Name} visible, {seconds} s per load, 1 node", command) + $"""
            - path: Confluent producer (acks=1, linger {lingerMs} ms as `dmpctl loadgen` and most real producers batch; the linger counts in the latency) → embedded broker, topic `{topic}` ({target.Partitions} partitions, key = user id) → {target.Engine}: ingest → sharded user entity applies the event.
            - visible: {probe.Description}.
            - max rate: **{maxRate:N0} ev/s** ({maxRateSource}).
            - schedule: event i of a load is due at i / rate (fixed timeline); latency = time the probe saw the effect − the event's **intended** send time, so a stalled sender is charged, not omitted. Events go round-robin to {users:N0} users per load (fresh ids per load; each user's first event creates its entity); every event of {probeUsers} of them is probed (rate × {probeUsers}/{users:N0} probes/s), the rest are load; {poller.Describe}, which adds up to {pollMs} ms plus a read to each latency and keeps the probes' own load at most {probeUsers} reads per {pollMs} ms however slow the engine gets.

            | load | offered ev/s | sent ev/s | probes observed | probe reads/s | p50 | p99 | p999 | max |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {rows}

            Producer, broker, engine and probes share the same {Environment.ProcessorCount} cores.
            """;
        Console.WriteLine(md);
        Report.Write("latency", md, command, new { seconds, users, probe_users = probeUsers, poll_ms = pollMs, linger_ms = lingerMs, reads_in_flight = readsInFlight, probe = probe.Name, engine = target.Engine, max_rate = maxRate, max_rate_source = maxRateSource, loads = results });
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
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    /// <summary>
    /// End-to-end maximum: a burst produced as fast as possible, timed until the last event of every user is visible
    /// (the probe users are watched while the engine drains; the others are read once it has, and re-read if need be).
    /// </summary>
    private static async Task<double> MeasureMaxRateAsync(ProbePoller poller, IProducer<byte[]?, byte[]> producer, string topic, int burst, int users, int probeUsers)
    {
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        for (long i = 0; i < burst; i++)
        {
            var e = EventFor("max", i, users);
            ProduceOrWait(producer, topic, PageView("max", i, e.UserId, now));
        }
        producer.Flush(TimeSpan.FromMinutes(1));
        var lastOfEachUser = Enumerable.Range(0, Math.Min(users, burst)).Select(k => EventFor("max", burst - 1 - k, users)).ToList();
        var drain = Task.WhenAll(lastOfEachUser.Where(e => IsProbeUser(e, users, probeUsers)).Select(poller.WatchAsync));
        await drain.WaitAsync(TimeSpan.FromMinutes(5));
        await Task.WhenAll(lastOfEachUser.Select(poller.WatchAsync)).WaitAsync(TimeSpan.FromMinutes(5));
        var elapsed = clock.Elapsed;
        Console.WriteLine($"max rate: {burst:N0} events visible in {elapsed.TotalSeconds:0.00} s = {burst / elapsed.TotalSeconds:N0} ev/s");
        return burst / elapsed.TotalSeconds;
    }

    private static bool IsProbeUser(ProbedEvent e, int users, int probeUsers) => e.Index % users < probeUsers;

    private static async Task<LoadResult> RunLoadAsync(IProducer<byte[]?, byte[]> producer, string topic, ProbePoller poller, int rate, TimeSpan duration,
        int users, int probeUsers)
    {
        var run = $"l{rate}";
        var schedule = FixedSchedule.For(rate, duration);
        var samples = new ConcurrentBag<IntendedLatency>();
        var probes = new List<Task>();
        var readsBefore = poller.Reads;
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var sending = await Task.Factory.StartNew(() => FixedRateSender.Run(schedule, clock, i =>
        {
            var e = EventFor(run, i, users);
            var intended = schedule.IntendedOffset(i);
            ProduceOrWait(producer, topic, PageView(run, i, e.UserId, start + intended));
            if (IsProbeUser(e, users, probeUsers))
                probes.Add(poller.WatchAsync(e).ContinueWith(_ => samples.Add(new IntendedLatency(i, intended, clock.Elapsed)), TaskContinuationOptions.ExecuteSynchronously));
        }), TaskCreationOptions.LongRunning);
        var all = Task.WhenAll(probes);
        var gaveUp = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) == all ? 0 : probes.Count(p => !p.IsCompleted);
        var readsPerSecond = (poller.Reads - readsBefore) / clock.Elapsed.TotalSeconds;
        return new LoadResult(rate, schedule.Total / sending.TotalSeconds, schedule.Total, probes.Count, samples.Count, gaveUp, readsPerSecond, IntendedLatency.SummaryMs(samples));
    }
}
