using System.Diagnostics;
using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using Xunit.Abstractions;

namespace DmpActors.Domain.Tests.Benchmarks;

/// <summary>
/// Rough single-thread throughput, printed, never asserted. In the normal test run they only smoke-run briefly;
/// for numbers run in Release with DMP_BENCH=1 (2 s JIT warm-up, then 1 s measured, per benchmark):
/// <c>DMP_BENCH=1 dotnet test tests/DmpActors.Domain.Tests -c Release --filter Category=Bench --logger "console;verbosity=detailed"</c>
/// </summary>
/// <remarks>Each operation is a struct so the measuring loop is compiled once per operation; a shared delegate loop
/// was skewed by whichever benchmark ran first in the process.</remarks>
[Trait("Category", "Bench")]
public class ThroughputBench(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A typical ~300-byte product_view with context, as an SDK would send it.</summary>
    public static readonly byte[] ProductView = Encoding.UTF8.GetBytes(
        """
        {"event_id":"5f0c6a7e-2b1d-4c8e-9a3f-1d2e3f4a5b6c","type":"product_view","user_id":"user-0012345",
        "anonymous_id":"anon-8f7e6d5c4b3a","timestamp":"2026-11-23T09:59:58.123Z",
        "properties":{"item_id":"sku-000123","category":"shoes","price":59.90,"currency":"EUR"},
        "context":{"ip":"203.0.113.7","user_agent":"Mozilla/5.0","locale":"en-GB"}}
        """.ReplaceLineEndings(""));

    private interface IOperation
    {
        void Run();
    }

    [Fact]
    public void Parse_product_view_throughput()
    {
        Assert.True(EventParser.Parse(ProductView, Now).IsValid);
        var op = new ParseSame();
        output.WriteLine($"parse product_view ({ProductView.Length} B): {Measure(ref op)}");
    }

    [Fact]
    public void Apply_page_view_to_warm_profile_throughput()
    {
        var op = new ApplyPageViews
        {
            Profile = WarmProfile(),
            Events = Enumerable.Range(0, 1 << 16)
                .Select(i => new UserEvent { EventId = $"pv-{i:x8}-0000-0000-0000-000000000000", Type = EventType.PageView, UserId = "u1", Timestamp = Now.AddSeconds(i), Url = "/x" })
                .ToArray(),
            Offset = 1_000_000,
        };
        output.WriteLine($"apply page_view (warm profile, with position): {Measure(ref op)}");
    }

    [Fact]
    public void Parse_then_apply_product_view_throughput()
    {
        var json = Encoding.UTF8.GetString(ProductView);
        var op = new ParseAndApply
        {
            Profile = WarmProfile(),
            Payloads = Enumerable.Range(0, 4096).Select(i => Encoding.UTF8.GetBytes(json.Replace("5f0c6a7e", $"{i:x8}").Replace("sku-000123", $"sku-{i % 300:d6}"))).ToArray(),
            Offset = 1_000_000,
        };
        output.WriteLine($"parse + apply product_view (300 distinct items, 50 kept): {Measure(ref op)}");
    }

    private struct ParseSame : IOperation
    {
        public void Run() => EventParser.Parse(ProductView, Now);
    }

    private struct ApplyPageViews : IOperation
    {
        public UserProfile Profile;
        public UserEvent[] Events;
        public long Offset;
        private int _next;

        public void Run()
        {
            Profile = ProfileReducer.Apply(Profile, Events[_next++ & (Events.Length - 1)], new EventPosition(0, Offset++)).Profile;
        }
    }

    private struct ParseAndApply : IOperation
    {
        public UserProfile Profile;
        public byte[][] Payloads;
        public long Offset;
        private int _next;

        public void Run()
        {
            var parsed = EventParser.Parse(Payloads[_next++ & (Payloads.Length - 1)], Now);
            Profile = ProfileReducer.Apply(Profile, parsed.Event!, new EventPosition(0, Offset++)).Profile;
        }
    }

    private static UserProfile WarmProfile()
    {
        var profile = UserProfile.Empty("u1");
        for (var i = 0; i < 400; i++)
        {
            var e = new UserEvent { EventId = $"warm-{i}", Type = EventType.ProductView, UserId = "u1", AnonymousId = $"a{i % 5}", Timestamp = Now.AddDays(-1).AddMinutes(i), ItemId = $"sku-{i % 70}" };
            profile = ProfileReducer.Apply(profile, e, new EventPosition(0, i)).Profile;
        }

        return profile;
    }

    private static readonly bool FullRun = Environment.GetEnvironmentVariable("DMP_BENCH") == "1";

    /// <summary>Warms up (tiered JIT needs well over a second on a busy 2-core box), then measures.</summary>
    private static Measurement Measure<T>(ref T op) where T : struct, IOperation
    {
        var (warmupMs, measureMs) = FullRun ? (2000, 1000) : (50, 50);
        var warmup = Stopwatch.StartNew();
        while (warmup.ElapsedMilliseconds < warmupMs)
        {
            for (var i = 0; i < 1_000; i++) op.Run();
        }

        long ops = 0;
        var gen0 = GC.CollectionCount(0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < measureMs)
        {
            for (var i = 0; i < 10_000; i++) op.Run();
            ops += 10_000;
        }

        sw.Stop();
        return new Measurement(ops / sw.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - before) / ops, GC.CollectionCount(0) - gen0, sw.Elapsed);
    }

    private sealed record Measurement(double PerSecond, long BytesPerOp, int Gen0Collections, TimeSpan Elapsed)
    {
        public override string ToString() =>
            $"{PerSecond:N0}/s, {BytesPerOp:N0} B allocated/op, {Gen0Collections} gen0 GCs in {Elapsed.TotalSeconds:0.0} s{(FullRun ? "" : " (smoke run; set DMP_BENCH=1)")}";
    }
}
