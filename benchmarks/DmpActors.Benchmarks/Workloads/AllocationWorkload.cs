using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Bytes allocated per event by the pure parts of the hot path, on one thread, over the <c>ingest</c> dataset: parsing,
/// the whole feature pipeline, each module alone (beside the pipeline with none: dedupe and the profile copy), and the
/// codec's encode per profile as a checkpoint save pays it. Measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public static class AllocationWorkload
{
    public static Task<int> RunAsync(Args args, string command)
    {
        var events = args.Int("events", 200_000);
        var users = args.Int("users", 20_000);
        args.EnsureAllKnown();
        var data = Dataset.Generate(events, users, keepParsed: false);
        var now = DateTimeOffset.UtcNow;
        var parsed = new UserEvent[data.Count];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < data.Count; i++) parsed[i] = EventParser.Parse(data.Values[i], now).Event!;
        Console.WriteLine($"alloc: {command}");
        Console.WriteLine($"| step | bytes allocated |\n| --- | ---: |");
        Console.WriteLine($"| parse (EventParser.Parse) | {PerEvent(before, data.Count)} B / event |");
        var profiles = new Dictionary<string, UserProfile>(StringComparer.Ordinal);
        Fold("all modules (ProfileReducer.Apply)", FeaturePipeline.Profile, parsed, profiles);
        var all = profiles.Values.ToList();
        foreach (var module in FeaturePipeline.Profile.Modules) Fold($"only {module.Name}", new FeaturePipeline([module]), parsed, []);
        Fold("no module (dedupe + profile copy)", new FeaturePipeline([]), parsed, []);
        before = GC.GetAllocatedBytesForCurrentThread();
        long encoded = 0;
        foreach (var profile in all) encoded += ProfileCodec.Encode(profile).Length;
        Console.WriteLine($"| ProfileCodec.Encode | {PerEvent(before, all.Count)} B / profile ({encoded / Math.Max(1, all.Count):N0} B encoded) |");
        return Task.FromResult(0);
    }

    private static void Fold(string label, FeaturePipeline pipeline, UserEvent[] events, Dictionary<string, UserProfile> profiles)
    {
        profiles.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            var profile = profiles.TryGetValue(e.EntityId, out var p) ? p : UserProfile.Empty(e.EntityId);
            profiles[e.EntityId] = pipeline.Apply(profile, e, new EventPosition(0, i, 1), ProfileRules.Default).Profile;
        }
        Console.WriteLine($"| {label} | {PerEvent(before, events.Length)} B / event |");
    }

    private static string PerEvent(long before, int count) => $"{(GC.GetAllocatedBytesForCurrentThread() - before) / (double)Math.Max(1, count):N0}";
}
