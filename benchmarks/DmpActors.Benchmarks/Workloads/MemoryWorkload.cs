using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Resident bytes per live user entity: U entities each apply 10 realistic events through the shard
/// region (ingest off), then managed heap and working set are compared with the engine before any
/// entity existed. Each size runs in its own child process so sizes do not see each other's heap.
/// </summary>
public static class MemoryWorkload
{
    public const int EventsPerUser = 10;

    public sealed record Result(int Users, long HeapBefore, long HeapAfter, long WsBefore, long WsAfter, double SendSeconds,
        double MeanEncodedBytes, double MaxEncodedBytes, double ProfileOnlyBytes, int ProfileOnlySample, long ActiveUsersMetric);

    public static async Task<int> RunAsync(Args args, string command)
    {
        var sizes = args.Ints("users", [100_000, 1_000_000]);
        var child = args.Flag("child");
        args.EnsureAllKnown();
        if (child) return await RunOneAsync(sizes.Single());

        var results = new List<Result>();
        foreach (var users in sizes)
        {
            Console.WriteLine($"memory: {users:N0} users in a child process ...");
            var psi = ChildProcess.Of("memory", "--users", users.ToString(System.Globalization.CultureInfo.InvariantCulture), "--child");
            psi.RedirectStandardOutput = true;
            using var p = Process.Start(psi)!;
            Result? result = null;
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                Console.WriteLine("  " + line);
                if (line.StartsWith("RESULT ", StringComparison.Ordinal)) result = JsonSerializer.Deserialize<Result>(line[7..]);
            }
            await p.WaitForExitAsync();
            if (p.ExitCode != 0 || result is null) throw new InvalidOperationException($"memory child for {users} users failed ({p.ExitCode})");
            results.Add(result);
        }

        var rows = string.Join(Environment.NewLine, results.Select(r =>
            $"| {r.Users:N0} | {r.SendSeconds:0.0} s | {(r.HeapAfter - r.HeapBefore) / (double)r.Users:N0} B | {(r.WsAfter - r.WsBefore) / (double)r.Users:N0} B | " +
            $"{r.ProfileOnlyBytes:N0} B | {r.MeanEncodedBytes:N0} B (max {r.MaxEncodedBytes:N0}) | {Report.MiB(r.HeapAfter)} / {Report.MiB(r.WsAfter)} |"));
        var md = Report.Header($"memory: resident bytes per live profile ({string.Join(", ", sizes.Select(s => s.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} users)", command) + $"""
            - each user entity applies {EventsPerUser} events through the "user" shard region (Ingest disabled, SQLite): page_view, 6 product_views (distinct items, so RecentlyViewedItems fills), search, add_to_cart, and purchase for 1 user in 5 else page_view; event ids are 36-character UUIDs as producers send them. Each size runs in a fresh child process.
            - heap = `GC.GetTotalMemory(true)` after a forced compacting gen2 collection, minus the same with the engine started and no entity; working set likewise (server GC keeps freed segments, so the working-set delta is an upper bound).
            - profile only = the same events applied with `ProfileReducer` to plain `UserProfile` objects in an array (no actor): the state itself, without actor cell, mailbox and shard bookkeeping.

            | users | send time | managed heap / user | working set / user | profile only / user | ProfileCodec.Encode size | heap / working set after |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {rows}
            """;
        Console.WriteLine(md);
        Report.Write("memory", md, command, results);
        return 0;
    }

    private static async Task<int> RunOneAsync(int users)
    {
        var now = DateTimeOffset.UtcNow;
        // Profile-only reference on a sample (kept small so it does not inflate the heap the engine run measures).
        var sample = Math.Min(users, 50_000);
        var h0 = Settle();
        var profiles = new UserProfile[sample];
        for (var u = 0; u < sample; u++)
        {
            var p = UserProfile.Empty(UserId(u));
            for (var step = 0; step < EventsPerUser; step++)
                p = ProfileReducer.Apply(p, Event(u, step, now), new EventPosition(u % 6, (long)step * users + u, 1)).Profile;
            profiles[u] = p;
        }
        var h1 = Settle();
        var profileOnly = (h1 - h0) / (double)sample;
        GC.KeepAlive(profiles);
        profiles = null!;

        await using var host = await InProcessEngine.StartAsync();
        var engine = host.Engine;
        using var meters = new DmpMeterCollector();
        var heapBefore = Settle();
        var wsBefore = Machine.WorkingSet();
        var generation = engine.LogGeneration;
        long total = (long)users * EventsPerUser;
        var sendTime = await Windowed.SendAsync(engine.System, engine.Users, i =>
        {
            var u = (int)(i % users);
            var step = (int)(i / users);
            var e = Event(u, step, now);
            return new ApplyEvent(e.EntityId, e, new EventPosition(u % 6, i, generation), i);
        }, total, 8192, reply => reply is EventApplied { Outcome: ApplyOutcome.Applied });
        var heapAfter = Settle();
        var wsAfter = Machine.WorkingSet();
        Console.WriteLine($"{users:N0} users: sent {total:N0} in {sendTime.TotalSeconds:0.0} s; heap +{(heapAfter - heapBefore) / (double)users:N0} B/user");

        var random = new Random(3);
        long encoded = 0, max = 0;
        const int encodeSample = 1000;
        for (var k = 0; k < encodeSample; k++)
        {
            var profile = await engine.GetProfileAsync(UserId(random.Next(users)), TimeSpan.FromSeconds(30))
                ?? throw new InvalidOperationException("sampled user has no profile");
            if (profile.EventsApplied != EventsPerUser) throw new InvalidOperationException($"profile has {profile.EventsApplied} events, expected {EventsPerUser}");
            var len = ProfileCodec.Encode(profile).Length;
            encoded += len;
            max = Math.Max(max, len);
        }
        var result = new Result(users, heapBefore, heapAfter, wsBefore, wsAfter, sendTime.TotalSeconds, encoded / (double)encodeSample, max,
            profileOnly, sample, meters.Counter("dmp.users.active"));
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static string UserId(int u) => $"user-{u:D7}";

    private static string Uuid(int u, int step)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, u);
        BitConverter.TryWriteBytes(bytes[4..], step);
        BitConverter.TryWriteBytes(bytes[8..], (long)u * 2654435761L ^ step * 40503L);
        return new Guid(bytes).ToString();
    }

    /// <summary>The <paramref name="step"/>-th event of user <paramref name="u"/>, as JSON, then parsed (the ingest path).</summary>
    public static UserEvent Event(int u, int step, DateTimeOffset now)
    {
        var ts = now.AddMinutes(-30).AddSeconds(step * 7 + u % 60).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var head = $"\"event_id\":\"{Uuid(u, step)}\",\"user_id\":\"{UserId(u)}\",\"anonymous_id\":\"anon-{u * 31L:x10}\",\"timestamp\":\"{ts}\"";
        var category = $"cat-{(u + step) % 20:D2}";
        var item = $"sku-{(u * 7 + step * 131) % 20_000:D6}";
        var json = step switch
        {
            0 => $"{{{head},\"type\":\"page_view\",\"properties\":{{\"url\":\"https://shop.example/{category}\"}}}}",
            >= 1 and <= 6 => $"{{{head},\"type\":\"product_view\",\"properties\":{{\"item_id\":\"{item}\",\"category\":\"{category}\",\"price\":{19.9 + step:0.00}}}}}",
            7 => $"{{{head},\"type\":\"search\",\"properties\":{{\"query\":\"red running shoes\"}}}}",
            8 => $"{{{head},\"type\":\"add_to_cart\",\"properties\":{{\"item_id\":\"{item}\",\"category\":\"{category}\",\"price\":59.90,\"quantity\":1}}}}",
            _ when u % 5 == 0 => $"{{{head},\"type\":\"purchase\",\"properties\":{{\"order_id\":\"o-{u}\",\"currency\":\"EUR\",\"items\":[{{\"item_id\":\"{item}\",\"category\":\"{category}\",\"price\":59.90,\"quantity\":1}}]}}}}",
            _ => $"{{{head},\"type\":\"page_view\",\"properties\":{{\"url\":\"https://shop.example/checkout\"}}}}",
        };
        var result = EventParser.Parse(Encoding.UTF8.GetBytes(json), now);
        return result.IsValid ? result.Event! : throw new InvalidOperationException($"invalid generated event: {result.Rejection} :: {json}");
    }
}
