using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Faults.Tests.Support;

/// <summary>
/// One fault scenario on the engine harness: steady traffic for a set of users (page views, purchases and a few
/// invalid records per wave), a few users erased while their events keep coming, and the final account: lost,
/// doubled and resurrected against the reference fold, and the time from the end of the fault until every
/// acknowledged record is committed.
/// </summary>
public sealed class FaultRun : IAsyncDisposable
{
    public const int Partitions = 4;

    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(20);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private readonly HashSet<string> _erased = new(StringComparer.Ordinal);
    private long _restartsBefore;
    private readonly System.Diagnostics.Metrics.MeterListener _quarantined = new();
    private long _droppedAsQuarantined;

    public FaultRun(string prefix, int users = 60, EngineHarness? harness = null)
    {
        _quarantined.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "dmp.events.quarantined") listener.EnableMeasurementEvents(instrument);
        };
        _quarantined.SetMeasurementEventCallback<long>((_, n, _, _) => Interlocked.Add(ref _droppedAsQuarantined, n));
        _quarantined.Start();
        Harness = harness ?? new EngineHarness(Partitions);
        Ledger = new RecordLedger(Harness);
        Users = Enumerable.Range(0, users).Select(u => $"{prefix}-{u}").ToList();
    }

    public EngineHarness Harness { get; }
    public RecordLedger Ledger { get; }
    public IReadOnlyList<string> Users { get; }
    public DmpEngine? Engine { get; set; }
    public IReadOnlyCollection<string> Erased => _erased;

    public async Task<DmpEngine> StartAsync(DmpOptions? options = null, Config? extra = null) =>
        Engine = await Harness.StartEngineAsync(options, extra ?? EngineHarness.NoGracefulStop);

    /// <summary>Per user: <paramref name="viewsPerUser"/> page views, a purchase for every third user, and two invalid records.</summary>
    public void Wave(int wave, int viewsPerUser)
    {
        for (var v = 0; v < viewsPerUser; v++)
            foreach (var user in Users)
                Ledger.Produce(user, TestEvents.PageView($"{user}-w{wave}-v{v}", user, minute: wave * 10 + v));
        for (var u = 0; u < Users.Count; u += 3)
            Ledger.Produce(Users[u], TestEvents.Purchase($"{Users[u]}-w{wave}-p", Users[u], 10m + u, minute: wave * 10));
        foreach (var (_, bytes) in TestEvents.Invalid(_now).Take(2)) Ledger.Produce(Users[wave % Users.Count], bytes);
    }

    /// <summary>Waits until every record so far is acknowledged and committed (the state before a fault).</summary>
    public async Task CaughtUpAsync()
    {
        await Ledger.AcknowledgedAsync();
        await Harness.WaitUntilCommittedToEndAsync(Engine!, Partitions, TimeSpan.FromSeconds(120));
    }

    /// <summary>Erases the first <paramref name="count"/> users through the running engine; their events keep coming.</summary>
    public async Task EraseAsync(int count)
    {
        foreach (var user in Users.Take(count))
        {
            await Engine!.Users.Ask<UserErased>(new EraseUser(user), Ask);
            _erased.Add(user);
        }
    }

    /// <summary>The acknowledged records and what the engine must make of them.</summary>
    public async Task<(IReadOnlyList<ProducedRecord> Produced, ReferenceFold Expected)> ExpectedAsync(Domain.Profiles.ProfileRules rules, long generation)
    {
        var produced = await Ledger.AcknowledgedAsync();
        return (produced, ReferenceFold.Of(produced, _now, rules, generation));
    }

    /// <summary>Records erased through another door (the HTTP API of a host process).</summary>
    public void MarkErased(string user) => _erased.Add(user);

    /// <summary>Waits until every record is acknowledged and committed, then accounts for it and records the row.</summary>
    /// <param name="sinceFaultEnd">Started when the fault ended.</param>
    public async Task<FaultOutcome> SettleAsync(string fault, Stopwatch sinceFaultEnd, string notes = "")
    {
        var produced = await Ledger.AcknowledgedAsync();
        await Harness.WaitUntilCommittedToEndAsync(Engine!, Partitions, TimeSpan.FromSeconds(120));
        var recovery = sinceFaultEnd.Elapsed;
        var expected = ReferenceFold.Of(produced, _now, Engine!.Options.Profiles.ToRules(), Engine.LogGeneration);
        var tally = await EngineAudit.ProfilesAsync(Engine, expected, Users.Except(_erased).ToList(), exact: false);
        Assert.True(tally.Mismatches.Count == 0, $"{fault}: {tally.Mismatches.Count} profiles differ:\n" + string.Join("\n", tally.Mismatches.Take(20)));

        var letters = EngineAudit.DeadLettersBySource(Harness, Partitions);
        var missingLetters = expected.DeadLetters.Keys.Count(source => !letters.ContainsKey(source));
        Assert.True(missingLetters == 0, $"{fault}: {missingLetters} invalid records have no dead letter");

        var resurrected = await ResurrectedAsync();
        if (_erased.Count > 0)
            Assert.True(Interlocked.Read(ref _droppedAsQuarantined) > 0, $"{fault}: the erased users' later events were not dropped as quarantined");
        var repeatedLetters = letters.Values.Sum(l => l.Count - 1);
        if (repeatedLetters > 0) notes = $"{notes}{(notes.Length > 0 ? "; " : "")}{repeatedLetters} dead letters written twice (at least once by design)";
        var outcome = new FaultOutcome(fault, produced.Count, tally.Lost, tally.Doubled, resurrected, recovery,
            Engine.Ingest!.Status.Restarts + _restartsBefore, notes);
        ReliabilityReport.Record(outcome);
        return outcome;
    }

    /// <summary>Erased users that have a stored row or a live profile again.</summary>
    private async Task<long> ResurrectedAsync()
    {
        if (_erased.Count == 0) return 0;
        var rows = await Engine!.Store.LoadAsync(_erased);
        var resurrected = 0;
        foreach (var user in _erased)
            if (rows.ContainsKey(user) || await Engine.GetProfileAsync(user, Ask) is not null) resurrected++;
        return resurrected;
    }

    /// <summary>Kills the engine as a crash would (<see cref="EngineHarness.CrashAsync"/>).</summary>
    public async Task CrashAsync()
    {
        var engine = Engine!;
        _restartsBefore += engine.Ingest!.Status.Restarts;
        Engine = null;
        await EngineHarness.CrashAsync(engine);
    }

    public async ValueTask DisposeAsync()
    {
        _quarantined.Dispose();
        if (Engine is not null) await Engine.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
