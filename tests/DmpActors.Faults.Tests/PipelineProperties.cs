using DmpActors.Domain.Events;
using DmpActors.Engine.Tests.Support;
using DmpActors.Faults.Tests.Support;
using Xunit.Abstractions;

namespace DmpActors.Faults.Tests;

/// <summary>
/// Random hostile streams through the real broker and engine: every acknowledged record is applied exactly once or
/// dead-lettered with its reason (at least once), every profile equals the pure reference fold, and the stream never restarts.
/// </summary>
public sealed class PipelineProperties(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>A few seeds of ~700 records each; DMP_FAULTS_HEAVY=1 runs 10 seeds of 5,000.</summary>
    public static TheoryData<int, int> Seeds() => Heavy.Enabled
        ? new TheoryData<int, int> { { 101, 5000 }, { 102, 5000 }, { 103, 5000 }, { 104, 5000 }, { 105, 5000 }, { 106, 5000 }, { 107, 5000 }, { 108, 5000 }, { 109, 5000 }, { 110, 5000 } }
        : new TheoryData<int, int> { { 11, 700 }, { 23, 700 }, { 47, 700 } };

    [Theory]
    [MemberData(nameof(Seeds))]
    public Task On_sqlite_every_record_is_applied_once_or_dead_lettered_with_its_reason(int seed, int records) =>
        EveryRecordAccountedFor(new EngineHarness(Partitions), seed, records);

    [PostgresFact]
    public async Task On_postgresql_every_record_is_applied_once_or_dead_lettered_with_its_reason() =>
        await EveryRecordAccountedFor(new EngineHarness(Partitions) { PostgresConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() },
            seed: 5, records: 700);

    private async Task EveryRecordAccountedFor(EngineHarness created, int seed, int records)
    {
        await using var harness = created;
        await using var engine = await harness.StartEngineAsync();
        var now = DateTimeOffset.UtcNow;
        var stream = new MixedStream(seed, plainUsers: 120, identityGroups: 8, now);
        var ledger = new RecordLedger(harness);

        stream.ProduceInto(ledger, records);
        var produced = await ledger.AcknowledgedAsync();
        Assert.Equal(0, ledger.Unacknowledged);
        await harness.WaitUntilCommittedToEndAsync(engine, Partitions, Patience);

        var expected = ReferenceFold.Of(produced, now, engine.Options.Profiles.ToRules(), engine.LogGeneration);
        var problems = DeadLetterProblems(produced, expected, EngineAudit.DeadLettersBySource(harness, Partitions), out var repeated);

        // Ids an identify or alias names are folded together: their survivor holds the sum of their events.
        var links = StitchesIn(produced);
        var stitched = links.SelectMany(l => new[] { l.Survivor, l.Absorbed }).ToHashSet(StringComparer.Ordinal);
        var individuals = expected.Profiles.Keys.Where(id => !stitched.Contains(id)).ToList();
        var tally = await EngineAudit.ProfilesAsync(engine, expected, individuals, exact: true);
        problems.AddRange(tally.Mismatches);
        foreach (var survivor in links.Select(l => l.Survivor).Distinct())
        {
            var want = expected.EventsApplied(survivor) + links.Where(l => l.Survivor == survivor).Select(l => l.Absorbed).Distinct()
                .Sum(expected.EventsApplied);
            var live = await engine.GetProfileAsync(survivor, Patience);
            if (live?.EventsApplied != want) problems.Add($"{survivor} (stitched): expected {want} events, live {live?.EventsApplied}");
        }

        output.WriteLine($"seed {seed}: {produced.Count} records, {individuals.Count} individual profiles, {links.Count} stitching events, {repeated} dead letters written again, dead letters: "
            + string.Join(", ", expected.DeadLetters.Values.GroupBy(c => c).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        Assert.True(problems.Count == 0, $"seed {seed}: {problems.Count} problems (ingest restarts {engine.Ingest!.Status.Restarts}, last error {engine.Ingest.Status.LastError}):\n" + string.Join("\n", problems.Take(40)));
        Assert.Equal((0L, 0L), (tally.Lost, tally.Doubled));
        Assert.True(engine.Ingest!.Status.Restarts == 0, $"the ingest restarted {engine.Ingest.Status.Restarts} times; last error: {engine.Ingest.Status.LastError}");
        // The stream must have exercised what it claims to: rejections of many kinds, valid odd input, identity.
        Assert.True(expected.DeadLetters.Values.Distinct().Count() >= 6, string.Join(",", expected.DeadLetters.Values.Distinct()));
        Assert.NotEmpty(links);
    }

    /// <summary>Dead letters are at least once (a replay after a rebalance or restart writes a record's letter again,
    /// with the same <c>dmp-source</c>); every letter of a record must carry its one expected reason.</summary>
    private static List<string> DeadLetterProblems(IReadOnlyList<ProducedRecord> produced, ReferenceFold expected,
        IReadOnlyDictionary<string, List<string>> letters, out int repeated)
    {
        var problems = new List<string>();
        repeated = 0;
        foreach (var record in produced)
        {
            var want = expected.DeadLetters.GetValueOrDefault(record.Source);
            var got = letters.GetValueOrDefault(record.Source) ?? [];
            if (want is null && got.Count > 0)
                problems.Add($"{record.Source} is valid but was dead-lettered as {string.Join(",", got)}");
            else if (want is not null && (got.Count == 0 || got.Any(reason => reason != want)))
                problems.Add($"{record.Source} should be dead-lettered as {want}, got [{string.Join(",", got)}]");
            repeated += Math.Max(0, got.Count - 1);
        }
        var unknown = letters.Keys.Except(produced.Select(r => r.Source)).ToList();
        if (unknown.Count > 0) problems.Add($"dead letters for records never produced: {string.Join(",", unknown.Take(5))}");
        return problems;
    }

    private static List<(string Survivor, string Absorbed)> StitchesIn(IEnumerable<ProducedRecord> produced) =>
        produced.Select(r => EventParser.ParseAccepted(r.Value))
            .Where(p => p.IsValid)
            .Select(p => p.Event!)
            .Select(e => (Survivor: e.UserId, Absorbed: e.Type switch
            {
                EventType.Identify => e.AnonymousId,
                EventType.Alias => e.PreviousId,
                _ => null,
            }))
            .Where(l => l.Survivor is not null && l.Absorbed is not null && l.Absorbed != l.Survivor)
            .Select(l => (l.Survivor!, l.Absorbed!))
            .ToList();
}

public static class Heavy
{
    /// <summary>DMP_FAULTS_HEAVY=1: more seeds, more records, longer faults.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("DMP_FAULTS_HEAVY") == "1";
}
