using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using DmpActors.Traffic;

namespace DmpActors.Host.Demo;

public sealed class DemoOptions
{
    public bool Enabled { get; set; }
    public int Rate { get; set; } = 200;
    public int Users { get; set; } = 2000;
    public int Seed { get; set; } = 42;
    /// <summary>Share of deliberately invalid events, so the dead-letter path and the rejection counts show too.</summary>
    public double InvalidShare { get; set; } = 0.005;

    public void Validate(OptionsProblems problems)
    {
        problems.Check(Rate >= 1, "Rate", $"must be at least 1 event per second, got {Rate}");
        problems.Check(Users >= 1, "Users", $"must be at least 1, got {Users}");
        problems.Check(InvalidShare is >= 0 and <= 1, "InvalidShare", $"must be between 0 and 1, got {InvalidShare}");
    }
}

/// <summary>--demo: a steady stream of realistic shop traffic into the events topic, so profiles fill at once.</summary>
public sealed class DemoTraffic(DmpRuntime runtime, DemoOptions options, TimeProvider clock, ILogger<DemoTraffic> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled) return;
        try
        {
            await DemoSegments.DefineAsync(runtime.Engine.SegmentCatalogue, log, stoppingToken);
            await DemoCampaigns.DefineAsync(runtime.Engine.Campaigns, runtime.Engine.Webhooks, log, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Demo segments or the demo campaign were not defined; the demo traffic runs without them");
        }
        var generator = new TrafficGenerator(new TrafficOptions { Seed = options.Seed, Users = options.Users, InvalidShare = options.InvalidShare });
        var producer = runtime.Engine.Producer;
        var topic = runtime.Options.Kafka.EventsTopic;
        long sent = 0, failed = 0;
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        string? example = null;
        log.LogInformation("Demo traffic: {Rate} events/s over {Users} users into {Topic}", options.Rate, options.Users, topic);
        while (!stoppingToken.IsCancellationRequested)
        {
            // A fixed timeline: event n is due at n / rate seconds, whatever the last send took.
            var due = TimeSpan.FromSeconds((double)sent / Math.Max(1, options.Rate));
            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stoppingToken); } catch (OperationCanceledException) { break; }
            }
            var e = generator.Next(clock.GetUtcNow());
            example ??= e.EntityId;
            producer.Produce(topic, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(e.Key), Value = e.Json },
                report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
            sent++;
            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = Stopwatch.GetTimestamp();
                log.LogInformation("Demo traffic: {Sent} events sent ({Failed} failed); try GET /v1/profiles/{Example}",
                    sent, Interlocked.Read(ref failed), example);
            }
        }
    }
}
