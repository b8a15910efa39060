using BenchmarkDotNet.Attributes;
using DmpActors.Domain.Profiles;

namespace DmpActors.Benchmarks.Micro;

/// <summary>Folding one warm profile into another and taking it out again (identity stitching, docs/identity.md).</summary>
[ShortRunJob, MemoryDiagnoser]
public class MergeBenchmarks : MicroBase
{
    private UserProfile _survivor = null!;
    private UserProfile _absorbed = null!;
    private UserProfile _merged = null!;

    [GlobalSetup]
    public void Setup()
    {
        _survivor = MicroData.WarmProfile();
        // A second warm profile with other items and traits, seen more recently, so every field has work to do.
        _absorbed = MicroData.WarmProfile() with
        {
            Id = "anon-8f7e6d5c4b3a",
            RecentlyViewedItems = _survivor.RecentlyViewedItems.Select(i => i + "-b").ToArray(),
            LastSeen = _survivor.LastSeen?.AddMinutes(1),
        };
        _merged = ProfileMerge.Merge(_survivor, _absorbed);
    }

    [Benchmark(Description = "ProfileMerge.Merge (two warm profiles)")]
    public UserProfile Merge() => ProfileMerge.Merge(_survivor, _absorbed);

    [Benchmark(Description = "ProfileMerge.Unmerge (two warm profiles)")]
    public UserProfile Unmerge() => ProfileMerge.Unmerge(_merged, _merged, _survivor);
}
