using Confluent.Kafka;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Segments;

/// <summary>The engine on the embedded broker and SQLite: events in, segment changes out on dmp.segment-changes.</summary>
public sealed class SegmentChangesEndToEndTests
{
    private const int Users = 8;
    private static readonly DateTimeOffset Defined = TestEvents.BaseTime;

    private static SegmentSet Set(long revision, params (string Id, int Version, string Rule)[] segments) =>
        SegmentSet.Build(revision, segments.Select(s => new SegmentVersion(s.Id, s.Version, s.Rule, false, Defined)));

    private static readonly SegmentSet Buyers = Set(1, ("buyers", 1, "orders >= 1"), ("big", 1, "revenue.total >= 100"));

    [Fact]
    public async Task Each_real_change_is_entered_exactly_once_across_replayed_events_and_an_engine_restart()
    {
        await using var harness = new EngineHarness();

        // Given an engine evaluating "buyers", and every user's first purchase
        await using (var engine = await harness.StartEngineAsync())
        {
            engine.Segments.Publish(Buyers);
            for (var u = 0; u < Users; u++)
            {
                harness.Produce($"u{u}", TestEvents.PageView($"v{u}", $"u{u}"));
                harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m, 1));
            }
            harness.Flush();
            await harness.WaitUntilCommittedToEndAsync(engine, 4);
        }

        // When the engine restarts, the same events arrive again (producer retries), then a big purchase each
        await using (var engine = await harness.StartEngineAsync())
        {
            engine.Segments.Publish(Buyers);
            for (var u = 0; u < Users; u++)
            {
                harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m, 1));
                harness.Produce($"u{u}", TestEvents.Purchase($"q{u}", $"u{u}", 150m, 2));
            }
            harness.Flush();
            await harness.WaitUntilCommittedToEndAsync(engine, 4);
        }

        // Then the topic holds exactly one "buyers" enter and one "big" enter per user, nothing else
        var changes = ReadChanges(harness, 2 * Users);
        Assert.Equal(2 * Users, changes.Count);
        for (var u = 0; u < Users; u++)
        {
            var mine = changes.Where(c => c.UserId == $"u{u}").Select(c => $"{c.SegmentId} {c.Kind} {c.Cause}").ToArray();
            Assert.Equal([$"buyers Entered event:p{u}", $"big Entered event:q{u}"], mine);
        }
    }

    [Fact]
    public async Task A_definition_changed_while_events_flow_is_applied_from_each_users_next_event()
    {
        await using var harness = new EngineHarness();
        var options = harness.Options();
        options.Backfill.Enabled = false; // the backfill would re-evaluate users between their events
        await using var engine = await harness.StartEngineAsync(options);
        var hub = new List<SegmentChange>();
        using var _ = engine.SegmentChanges.Subscribe(c => { lock (hub) hub.Add(c); });

        // Given members of "buyers" (one order), and other users' events flowing all along
        engine.Segments.Publish(Set(1, ("buyers", 1, "orders >= 1")));
        for (var u = 0; u < Users; u++) harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        using var flowing = new CancellationTokenSource();
        var background = Task.Run(async () =>
        {
            for (var i = 0; !flowing.IsCancellationRequested; i++)
            {
                await harness.ProduceAsync($"bg{i % 5}", TestEvents.PageView($"bg-{i}", $"bg{i % 5}", i));
            }
        });

        // When the definition becomes "orders >= 2", and then even users buy again
        engine.Segments.Publish(Set(2, ("buyers", 2, "orders >= 2")));
        for (var u = 0; u < Users; u++)
        {
            harness.Produce($"u{u}", TestEvents.PageView($"v{u}", $"u{u}", 5));
            if (u % 2 == 0) harness.Produce($"u{u}", TestEvents.Purchase($"r{u}", $"u{u}", 10m, 6));
        }
        harness.Flush();
        await flowing.CancelAsync();
        await background;
        await harness.WaitUntilCommittedToEndAsync(engine, 4);

        // Then every user left under version 2 on their next event, and the even ones entered again with their purchase
        var expected = Users + Users + Users / 2;
        var changes = ReadChanges(harness, expected);
        for (var u = 0; u < Users; u++)
        {
            var mine = changes.Where(c => c.UserId == $"u{u}").Select(c => $"{c.Kind} v{c.Version} {c.Cause}").ToList();
            var want = new List<string> { $"Entered v1 event:p{u}", $"Exited v2 event:v{u}" };
            if (u % 2 == 0) want.Add($"Entered v2 event:r{u}");
            Assert.Equal(want, mine);
        }
        Assert.Equal(expected, changes.Count);
        lock (hub) Assert.Equal(changes.Select(c => c.ChangeId).Order(), hub.Select(c => c.ChangeId).Order());
        var even = await engine.GetProfileAsync("u0", TimeSpan.FromSeconds(10));
        Assert.Equal(["buyers"], even!.Segments.MemberIds());
    }

    /// <summary>Reads the changes topic from the start until <paramref name="expected"/> records arrived, then a little
    /// longer so that an extra one would be seen.</summary>
    internal static List<SegmentChange> ReadChanges(EngineHarness harness, int expected)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = harness.Broker.BootstrapServers, GroupId = "changes-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("dmp.segment-changes");
        var changes = new List<SegmentChange>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record) changes.Add(SegmentChangeJson.Read(record.Message.Value));
            if (changes.Count >= expected && quietUntil == DateTime.MaxValue) quietUntil = DateTime.UtcNow.AddSeconds(2);
        }

        return changes.OrderBy(c => c.At).ToList();
    }
}
