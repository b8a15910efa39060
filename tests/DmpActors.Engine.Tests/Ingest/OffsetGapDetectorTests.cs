using System.Diagnostics.Metrics;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Observability;
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
