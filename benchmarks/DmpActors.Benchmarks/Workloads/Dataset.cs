using System.Diagnostics;
using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Traffic;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Events from <see cref="TrafficGenerator"/> (the same sessions the demo load generator sends), each
/// checked with <see cref="EventParser"/> while generating: how many are valid, and the expected
/// EventsApplied per entity (the engine routes on user_id, else anonymous_id).
/// </summary>
public sealed class Dataset
{
    public required byte[][] Keys { get; init; }
    public required byte[][] Values { get; init; }
    public UserEvent[]? Parsed { get; init; }
    public required Dictionary<string, int> ExpectedApplied { get; init; }

    /// <summary>Ids named by an identify (user_id and anonymous_id) or alias (previous_id and user_id): their profiles may be stitched, so their counts are not their own.</summary>
    public required HashSet<string> IdentityLinked { get; init; }
    public required Dictionary<string, int> TypeMix { get; init; }
    public required int Invalid { get; init; }
    public required long PayloadBytes { get; init; }
    public required TimeSpan GenerationTime { get; init; }

    public int Count => Values.Length;
    public double MeanValueBytes => (double)PayloadBytes / Count;

    /// <param name="identifyProbability">Chance a session logs in (identify after anonymous browsing, stitching two
    /// profiles); null keeps the generator's default. 0 leaves identity stitching out, to see what it costs.</param>
    public static Dataset Generate(int events, int users, bool keepParsed, int seed = 7, double? identifyProbability = null)
    {
        var sw = Stopwatch.StartNew();
        var options = new TrafficOptions { Users = users, Seed = seed, RunId = $"bench{seed}" };
        if (identifyProbability is { } p) options = options with { IdentifyProbability = p };
        var generator = new TrafficGenerator(options);
        var keys = new byte[events][];
        var values = new byte[events][];
        var parsed = keepParsed ? new UserEvent[events] : null;
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        var linked = new HashSet<string>(StringComparer.Ordinal);
        var mix = new Dictionary<string, int>(StringComparer.Ordinal);
        var invalid = 0;
        long bytes = 0;
        // Event time runs from two hours ago, 1 ms per event: never in the future, never older than the window.
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < events; i++)
        {
            var e = generator.Next(start.AddTicks(i * TimeSpan.TicksPerMillisecond / 4));
            keys[i] = Encoding.UTF8.GetBytes(e.Key);
            values[i] = e.Json;
            bytes += e.Json.Length;
            mix[e.Type] = mix.GetValueOrDefault(e.Type) + 1;
            var result = EventParser.Parse(e.Json, now);
            if (!result.IsValid) { invalid++; continue; }
            var ev = result.Event!;
            if (parsed is not null) parsed[i] = ev;
            expected[ev.EntityId] = expected.GetValueOrDefault(ev.EntityId) + 1;
            if (ev.Type is EventType.Identify or EventType.Alias)
                foreach (var id in new[] { ev.UserId, ev.AnonymousId, ev.PreviousId })
                    if (id is not null) linked.Add(id);
        }
        if (keepParsed && invalid > 0)
            throw new InvalidOperationException($"{invalid} generated events are invalid; the in-process workload needs valid ones");
        return new Dataset
        {
            Keys = keys, Values = values, Parsed = parsed, ExpectedApplied = expected, IdentityLinked = linked, TypeMix = mix,
            Invalid = invalid, PayloadBytes = bytes, GenerationTime = sw.Elapsed,
        };
    }

    public string MixSummary() =>
        string.Join(", ", TypeMix.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {100.0 * kv.Value / Count:0.#}%"));
}
