using BenchmarkDotNet.Attributes;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;

namespace DmpActors.Benchmarks.Micro;

/// <summary>
/// 100 segment rules (ten shapes over windows, affinities, traits, consent, lifecycle and external inputs) against one
/// profile, beside the reducer's Apply of one event: what evaluating every rule on every event adds.
/// </summary>
[ShortRunJob, MemoryDiagnoser]
public class SegmentRuleBenchmarks : MicroBase
{
    private static readonly string[] Windows = ["1h", "24h", "7d", "30d"];

    private static readonly RuleInputs Inputs = new(new RfmScores(4, 3, 5, "loyal"),
        new Dictionary<string, double> { ["churn"] = 0.35 }, new Dictionary<string, int> { ["behaviour"] = 2 });

    private CompiledRule[] _rules = null!;
    private CompiledRule[] _noWindowRules = null!;
    private RuleContext _context = null!;
    private RuleContext _noWindowContext = null!;
    private UserProfile _warm = null!;
    private UserProfile _full = null!;
    private UserEvent _pageView = null!;
    private EventPosition _position;
    private SegmentSet _set = null!, _noWindowSet = null!;
    private UserProfile _segmented = null!, _noWindowSegmented = null!;

    public static IEnumerable<string> Rules() => Enumerable.Range(0, 10).SelectMany(i =>
    {
        var w = Windows[i % 4];
        return new[]
        {
            $"window.purchases.{w} >= {i % 4}",
            $"window.product_views.{w} > {i} and consent.marketing",
            $"affinity.category(\"shoes\") > 0.{i} and trait.country == \"GB\"",
            $"event.count(\"search\", {w}) >= {i % 3} or window.sessions.{w} > 2",
            $"revenue.total between {i * 10} and {i * 10 + 500}",
            $"last_seen within {i + 1}d and not exists(window.purchases.7d)",
            $"rfm.segment in [\"champions\", \"loyal\"] and score.churn > 0.{i}",
            $"ml.cluster(\"behaviour\") == {i % 4} or orders >= {i}",
            $"first_seen older than {i + 1}d and window.distinct_items.{w} >= {i}",
            $"window.category_views(\"shoes\", {w}) >= {i} and affinity.item(\"sku-00000{i}\") > 0.1",
        };
    });

    private static IEnumerable<string> NoWindowRules() => Enumerable.Range(0, 20).SelectMany(i => new[]
    {
        $"affinity.category(\"shoes\") > 0.{i % 10} and trait.country == \"GB\"",
        $"revenue.total between {i * 10} and {i * 10 + 500} or consent.marketing",
        $"last_seen within {i + 1}d and first_seen older than {i + 2}d",
        $"rfm.segment in [\"champions\", \"loyal\"] and score.churn > 0.{i % 10}",
        $"ml.cluster(\"behaviour\") == {i % 4} or orders >= {i}",
    });

    [GlobalSetup]
    public void Setup()
    {
        _warm = MicroData.WarmProfile();
        _full = MicroData.FullWindowsProfile();
        _pageView = MicroData.WarmPageView();
        _position = new EventPosition(0, 1_000, 1);
        var compiler = new RuleCompiler();
        _rules = Rules().Select(r => compiler.Compile(RuleDefinition.Define(r))).ToArray();
        _context = compiler.CreateContext();
        var other = new RuleCompiler();
        _noWindowRules = NoWindowRules().Select(r => other.Compile(RuleDefinition.Define(r))).ToArray();
        _noWindowContext = other.CreateContext();
        _set = SetOf(Rules());
        _noWindowSet = SetOf(NoWindowRules());
        // Evaluated once against the set, as a live entity is: later events evaluate only what they can change.
        _segmented = Evaluated(_warm, _set);
        _noWindowSegmented = Evaluated(_warm, _noWindowSet);
        _context.Reset(_warm, MicroData.Now, Inputs);
        Console.WriteLine($"// {_rules.Length} rules read {_rules.SelectMany(r => r.Fields).Distinct().Count()} distinct fields; " +
                          $"{_rules.Count(r => r.Evaluate(_context))} match the warm profile");
    }

    [Benchmark(Description = "ProfileReducer.Apply page_view (warm profile), for comparison")]
    public UserProfile Apply() => ProfileReducer.Apply(_warm, _pageView, _position).Profile;

    [Benchmark(Description = "ProfileReducer.Apply page_view + segments module, 100 segments (warm profile)")]
    public UserProfile ApplyWithSegments() => ProfileReducer.Apply(_segmented, _pageView, _position, ProfileRules.Default, _set).Profile;

    [Benchmark(Description = "ProfileReducer.Apply page_view + segments module, 100 segments without window fields")]
    public UserProfile ApplyWithNoWindowSegments() =>
        ProfileReducer.Apply(_noWindowSegmented, _pageView, _position, ProfileRules.Default, _noWindowSet).Profile;

    private static SegmentSet SetOf(IEnumerable<string> rules) =>
        SegmentSet.Build(1, rules.Select((r, i) => new SegmentVersion($"s{i:D3}", 1, r, false, MicroData.Now)));

    private static UserProfile Evaluated(UserProfile profile, SegmentSet set) => profile with
    {
        Segments = Domain.Segments.Evaluation.SegmentEvaluator.Evaluate(profile.Segments, set, profile,
            Domain.Segments.Evaluation.SegmentCause.Evaluation(set.Revision), profile.LastSeen ?? MicroData.Now, null).Memberships,
    };

    [Benchmark(Description = "100 rules, warm profile, inputs already read (closures and comparisons only)")]
    public int EvaluateCached() => Count(_rules, _context);

    [Benchmark(Description = "100 rules without window fields, warm profile (each input read once)")]
    public int EvaluateNoWindows() => Count(_noWindowRules, _noWindowContext.Reset(_warm, MicroData.Now, Inputs));

    [Benchmark(Description = "100 rules, warm profile (each input read once: 4 window reads)")]
    public int EvaluateWarm() => Count(_rules, _context.Reset(_warm, MicroData.Now, Inputs));

    [Benchmark(Description = "100 rules, full windows (each input read once: 4 window reads)")]
    public int EvaluateFull() => Count(_rules, _context.Reset(_full, MicroData.Now, Inputs));

    [Benchmark(Description = "NextChange of the 100 rules, warm profile")]
    public long NextChangeWarm()
    {
        _context.Reset(_warm, MicroData.Now, Inputs);
        long sum = 0;
        foreach (var rule in _rules) sum += rule.NextChange(_context)?.UtcTicks ?? 0;
        return sum;
    }

    private static int Count(CompiledRule[] rules, RuleContext context)
    {
        var n = 0;
        foreach (var rule in rules)
        {
            if (rule.Evaluate(context)) n++;
        }

        return n;
    }
}
