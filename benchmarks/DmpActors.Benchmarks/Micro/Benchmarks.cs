using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Benchmarks.Micro;

/// <summary>Every class carries the same yardstick: JsonDocument.Parse of the ~300-byte product_view.</summary>
public abstract class MicroBase
{
    protected static readonly byte[] Json = MicroData.ProductView;

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse (300 B product_view)")]
    public int JsonDocumentParse()
    {
        using var doc = JsonDocument.Parse(Json);
        return doc.RootElement.GetArrayLength_Safe();
    }
}

internal static class JsonElementExtensions
{
    public static int GetArrayLength_Safe(this JsonElement e) => e.ValueKind == JsonValueKind.Object ? 1 : 0;
}

[ShortRunJob, MemoryDiagnoser]
public class ParserBenchmarks : MicroBase
{
    [Benchmark(Description = "EventParser.Parse (300 B product_view)")]
    public UserEvent? Parse() => EventParser.Parse(Json, MicroData.Now).Event;
}

[ShortRunJob, MemoryDiagnoser]
public class ReducerBenchmarks : MicroBase
{
    private UserProfile _warm = null!;
    private UserEvent _pageView = null!;
    private EventPosition _position;

    [GlobalSetup]
    public void Setup()
    {
        _warm = MicroData.WarmProfile();
        _pageView = MicroData.WarmPageView();
        _position = new EventPosition(0, 1_000, 1);
    }

    [Benchmark(Description = "ProfileReducer.Apply page_view (warm profile)")]
    public UserProfile Apply() => ProfileReducer.Apply(_warm, _pageView, _position).Profile;
}

[ShortRunJob, MemoryDiagnoser]
public class WindowBenchmarks : MicroBase
{
    private UserProfile _full = null!;
    private UserEvent _sameMinute = null!;
    private UserEvent _nextMinute = null!;

    [GlobalSetup]
    public void Setup()
    {
        _full = MicroData.FullWindowsProfile();
        _sameMinute = MicroData.FullWindowsPageView(nextMinute: false);
        _nextMinute = MicroData.FullWindowsPageView(nextMinute: true);
        Console.WriteLine($"// full windows: {_full.Windows.WordCount} words, encoded {ProfileCodec.Encode(_full).Length} B");
    }

    [Benchmark(Description = "ProfileReducer.Apply page_view (full windows, same minute)")]
    public UserProfile ApplySameMinute() => ProfileReducer.Apply(_full, _sameMinute, null).Profile;

    [Benchmark(Description = "ProfileReducer.Apply page_view (full windows, new minute: buckets roll)")]
    public UserProfile ApplyNextMinute() => ProfileReducer.Apply(_full, _nextMinute, null).Profile;

    [Benchmark(Description = "BehaviourWindows.ValuesFor 1h+24h+7d+30d (full windows)")]
    public long ReadWindows()
    {
        long n = 0;
        foreach (var (_, span) in DmpActors.Domain.Profiles.Windows.WindowSpans.Standard) n += _full.Windows.ValuesFor(span, MicroData.Now).Sessions;
        return n;
    }
}

[ShortRunJob, MemoryDiagnoser]
public class CodecBenchmarks : MicroBase
{
    private UserProfile _warm = null!;
    private byte[] _encoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _warm = MicroData.WarmProfile();
        _encoded = ProfileCodec.Encode(_warm);
        Console.WriteLine($"// warm profile: {_warm.EventsApplied} events, {_warm.RecentlyViewedItems.Count} recent items, encoded {_encoded.Length} B");
    }

    [Benchmark(Description = "ProfileCodec.Encode (warm profile)")]
    public byte[] Encode() => ProfileCodec.Encode(_warm);

    [Benchmark(Description = "ProfileCodec.Decode (warm profile)")]
    public UserProfile Decode() => ProfileCodec.Decode(_encoded);
}
