using System.Diagnostics.Metrics;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Engine.Tests.Ingest;

public sealed class OffsetGapDetectorTests
{
    [Fact]
    public void Missing_offsets_between_records_of_a_partition_are_counted_and_consecutive_ones_are_not()
    {
        long gaps = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DmpMetrics.MeterName && instrument.Name == "dmp.ingest.offset_gaps") l.EnableMeasurementEvents(instrument);
        };
        var detector = new OffsetGapDetector(NullLogger.Instance);
        // Only this detector's thread counts: other tests may record gaps concurrently.
        var thread = Environment.CurrentManagedThreadId;
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => { if (Environment.CurrentManagedThreadId == thread) gaps += value; });
        listener.Start();

        detector.Observe(0, 10);  // first record of a partition: nothing to compare
        detector.Observe(0, 11);
        detector.Observe(1, 500);
        detector.Observe(0, 15);  // 12, 13, 14 never came
        detector.Observe(1, 501);
        detector.Observe(1, 600); // 502..599

        Assert.Equal(3 + 98, gaps);
    }
}

/// <summary>Records the embedded broker dropped while no engine consumed (it keeps the newest 5 MiB per partition)
/// are counted when the next engine resumes from the committed offset.</summary>
[Collection(nameof(Observability.ProcessWideTelemetry))]
public sealed class OffsetGapsAcrossRestartsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Records_dropped_by_the_broker_between_two_engines_are_counted_by_the_second()
    {
        await using var harness = new EngineHarness(partitions: 1);
        await using (var first = await harness.StartEngineAsync())
        {
            harness.Produce("alice", TestEvents.PageView("a1", "alice"));
            harness.Flush();
            await harness.WaitUntilCommittedToEndAsync(first, 1, Patience);
        }

        // While no engine consumes, 8 MB arrive: the broker keeps only the newest 5 MiB, the oldest are gone
        var big = new byte[800_000];
        for (var i = 0; i < 10; i++) harness.Produce($"flood-{i}", big);
        harness.Flush();
        var committed = harness.Committed("dmp-ingest", 1)[0];
        var firstKept = harness.LowWatermark(0);
        Assert.True(firstKept > committed, $"the broker kept everything from {committed}; the test needs it to drop some");

        long gaps = 0;
        using var listener = Support.Metrics.Listen("dmp.ingest.offset_gaps", n => Interlocked.Add(ref gaps, n));
        await using var second = await harness.StartEngineAsync();
        await Eventually.True(() => harness.Committed("dmp-ingest", 1)[0] == harness.EndOffsets(1)[0], Patience, "the second engine to commit to the end");

        Assert.Equal(firstKept - committed, Interlocked.Read(ref gaps));
    }
}
