using Akka.Actor;
using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>In-process: a bare sharded tell with ack vs ApplyEvent through the engine's "user" region. No Kafka, no durability.</summary>
public static class ActorsWorkload
{
    public static async Task<int> RunAsync(Args args, string command)
    {
        var events = args.Int("events", 1_000_000);
        var users = args.Int("users", 100_000);
        var window = args.Int("window", 8192);
        var identify = args.String("identify-probability") is { } v ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : (double?)null;
        args.EnsureAllKnown();

        Console.WriteLine($"actors: {events:N0} messages over {users:N0} users, window {window}");
        var data = Dataset.Generate(events, users, keepParsed: true, identifyProbability: identify);
        var parsed = data.Parsed!;
        Console.WriteLine($"generated + parsed in {data.GenerationTime.TotalSeconds:0.0} s, {data.ExpectedApplied.Count:N0} entities; mix: {data.MixSummary()}");
        var entityIds = parsed.Select(e => e.EntityId).ToArray();
        // Positions as the ingest would give them: key-hashed partition, offsets in order per partition.
        var positions = new EventPosition[events];
        var next = new long[6];
        for (var i = 0; i < events; i++)
        {
            var p = (int)((uint)StableHash(data.Keys[i]) % 6);
            positions[i] = new EventPosition(p, next[p]++, 1);
        }

        // ---- (a) baseline: counter entities ----
        var (system, region) = await CounterEntity.StartAsync();
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        var gc0 = GcStats.Now();
        var cpu = ThreadCpu.Start();
        var baseline = await Windowed.SendAsync(system, region, i => new CounterEntity.Count(entityIds[i], i), events, window,
            reply => reply is CounterEntity.Counted);
        var baseCpu = cpu.Stop(baseline);
        var baseGc = GcStats.Now().Since(gc0);
        var baseRate = events / baseline.TotalSeconds;
        Console.WriteLine($"(a) bare sharded tell: {baseline.TotalSeconds:0.00} s = {baseRate:N0} msg/s; {baseGc}");
        await system.Terminate();
        region = ActorRefs.Nobody;
        GC.Collect(2, GCCollectionMode.Forced, true, true);

        // ---- (b) DmpActors: ApplyEvent to user entities ----
        await using var host = await InProcessEngine.StartAsync();
        var engine = host.Engine;
        var generation = engine.LogGeneration;
        for (var i = 0; i < events; i++) positions[i] = positions[i] with { Generation = generation };
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        long applied = 0;
        gc0 = GcStats.Now();
        cpu = ThreadCpu.Start();
        var dmp = await Windowed.SendAsync(engine.System, engine.Users,
            i => new ApplyEvent(entityIds[i], parsed[i], positions[i], i), events, window,
            reply =>
            {
                if (reply is not EventApplied a) return false;
                if (a.Outcome == ApplyOutcome.Applied) applied++;
                return true;
            });
        var dmpCpu = cpu.Stop(dmp);
        var dmpGc = GcStats.Now().Since(gc0);
        var dmpRate = events / dmp.TotalSeconds;
        Console.WriteLine($"(b) DmpActors ApplyEvent: {dmp.TotalSeconds:0.00} s = {dmpRate:N0} msg/s; applied {applied:N0}; {dmpGc}");

        // Second pass over the same entities (all alive and loaded): the steady state without entity start-up.
        var offsetBase = next.Max();
        gc0 = GcStats.Now();
        var dmpWarm = await Windowed.SendAsync(engine.System, engine.Users,
            i => new ApplyEvent(entityIds[i], parsed[i] with { EventId = parsed[i].EventId + "-2" }, positions[i] with { Offset = positions[i].Offset + offsetBase }, events + i),
            events, window, reply => reply is EventApplied);
        var warmGc = GcStats.Now().Since(gc0);
        var warmRate = events / dmpWarm.TotalSeconds;
        Console.WriteLine($"(b') DmpActors ApplyEvent, entities already alive: {dmpWarm.TotalSeconds:0.00} s = {warmRate:N0} msg/s; {warmGc}");

        var md = Report.Header($"actors (in-process, no Kafka, no durability): {events:N0} messages, {users:N0} users, window {window}", command) + $"""
            - {data.ExpectedApplied.Count:N0} distinct entities; the same entity sequence in (a) and (b); every message is acknowledged to one sending actor, at most {window} outstanding.
            - mix: {data.MixSummary()}{(identify is { } ip ? $" (sessions log in with probability {ip}: `--identify-probability`)" : "")}; identify and alias events stitch two profiles in one store transaction of their own.
            - (a) starts a single-node cluster with the engine's Akka configuration and a 100-shard region of a counter entity (count, reply). (b) is `DmpEngine` with Ingest disabled (SQLite store, empty: each new entity does one batched load), `ApplyEvent` pre-parsed by `EventParser`, replies `EventApplied`. No checkpoints, nothing is written to the store.

            | run | time | msgs/s | ratio to (a) | GC |
            | --- | ---: | ---: | ---: | --- |
            | (a) bare sharded tell + ack (entities created on first message) | {baseline.TotalSeconds:0.00} s | {baseRate:N0} | 1.00 | {baseGc} |
            | (b) DmpActors `ApplyEvent` → `EventApplied` (entities created + loaded on first message) | {dmp.TotalSeconds:0.00} s | {dmpRate:N0} | **{dmpRate / baseRate:0.00}** | {dmpGc} |
            | (b') the same again, entities already alive (new event ids and offsets) | {dmpWarm.TotalSeconds:0.00} s | {warmRate:N0} | {warmRate / baseRate:0.00} | {warmGc} |

            Applied (not duplicate) in (b): {applied:N0} of {events:N0}.

            CPU during (a):

            {baseCpu.Markdown(6)}

            CPU during (b):

            {dmpCpu.Markdown(6)}
            """;
        Console.WriteLine(md);
        Report.Write("actors", md, command, new { events, users, window, entities = data.ExpectedApplied.Count, bare_msgs_per_s = baseRate, dmp_msgs_per_s = dmpRate, dmp_warm_msgs_per_s = warmRate, ratio = dmpRate / baseRate, applied });
        return applied == events ? 0 : 2;
    }

    private static int StableHash(byte[] key)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var b in key) h = (h ^ b) * 16777619;
            return h;
        }
    }
}
