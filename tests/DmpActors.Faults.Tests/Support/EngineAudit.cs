using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Faults.Tests.Support;

/// <summary>How far the engine's profiles are from the reference fold, in events.</summary>
/// <param name="Lost">Acknowledged events missing from the durable profiles.</param>
/// <param name="Doubled">Events counted more than once in the durable profiles.</param>
/// <param name="Mismatches">One line per user whose profile differs (live or durable), for the failure message.</param>
public sealed record ProfileTally(long Lost, long Doubled, IReadOnlyList<string> Mismatches);

/// <summary>Compares a running engine with a <see cref="ReferenceFold"/>.</summary>
public static class EngineAudit
{
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(20);

    /// <summary>Counts per user, durable (the store) and live (the entity) against the reference.</summary>
    /// <param name="exact">Also require the whole profile (windows, dedupe marks, items, traits) to equal the reference.</param>
    public static async Task<ProfileTally> ProfilesAsync(DmpEngine engine, ReferenceFold expected, IReadOnlyCollection<string> users, bool exact)
    {
        var stored = await engine.Store.LoadAsync(users);
        long lost = 0, doubled = 0;
        var mismatches = new List<string>();
        foreach (var user in users)
        {
            var want = expected.Profiles.GetValueOrDefault(user);
            var durable = stored.TryGetValue(user, out var row) ? ProfileCodec.Decode(row.State) : null;
            var live = await engine.GetProfileAsync(user, Ask);
            var wantCount = want?.EventsApplied ?? 0;
            var durableCount = durable?.EventsApplied ?? 0;
            lost += Math.Max(0, wantCount - durableCount);
            doubled += Math.Max(0, durableCount - wantCount);
            if (Summary(durable) != Summary(want) || Summary(live) != Summary(want))
                mismatches.Add($"{user}: expected {Summary(want)}, durable {Summary(durable)}, live {Summary(live)}");
            // An entity that applied nothing (only failed events) answers reads with no profile, and that is right.
            else if (exact && (!Equals(want, durable) || (live is not null && !Equals(want, live))))
                mismatches.Add($"{user}: counts agree but the profile differs from the reference fold (durable equal: {Equals(want, durable)}, live equal: {Equals(want, live)})");
        }
        return new ProfileTally(lost, doubled, mismatches);
    }

    private static string Summary(UserProfile? p) => p is null || p.EventsApplied == 0
        ? "none"
        : $"applied={p.EventsApplied} counts=[{string.Join(",", Enumerable.Range(0, EventTypes.Count).Select(i => p.CountOf((EventType)i)))}] "
          + $"orders={p.Orders} revenue={p.TotalRevenue} first={p.FirstSeen:O} last={p.LastSeen:O}";

    /// <summary>Every dead letter on the topic, read to its end: <c>dmp-source</c> → the reason of each letter for it.</summary>
    public static IReadOnlyDictionary<string, List<string>> DeadLettersBySource(EngineHarness harness, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = harness.Broker.BootstrapServers, GroupId = "dlq-audit-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        var ends = Enumerable.Range(0, partitions).Select(p => new TopicPartition("dmp.events.dlq", p))
            .ToDictionary(tp => tp.Partition.Value, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
        consumer.Assign(ends.Where(e => e.Value > 0).Select(e => new TopicPartitionOffset("dmp.events.dlq", e.Key, Offset.Beginning)));
        var read = new Dictionary<int, long>();
        var letters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ends.Any(e => read.GetValueOrDefault(e.Key) < e.Value))
        {
            Assert.True(DateTime.UtcNow < deadline, "the dead-letter topic could not be read to its end");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } r) continue;
            read[r.Partition.Value] = r.Offset.Value + 1;
            var source = EngineHarness.Header(r.Message, DeadLetterPublisher.SourceHeader) ?? "(no source)";
            if (!letters.TryGetValue(source, out var reasons)) letters[source] = reasons = [];
            reasons.Add(EngineHarness.Header(r.Message, DeadLetterPublisher.ReasonHeader) ?? "(no reason)");
        }
        return letters;
    }
}
