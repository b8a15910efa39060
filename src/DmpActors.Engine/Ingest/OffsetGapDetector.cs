using DmpActors.Engine.Observability;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Notices offsets that never arrive between two records of a partition. On the embedded broker
/// that means records were dropped before they were consumed (librdkafka's mock keeps only the
/// newest 5 MiB per partition); on a real Kafka it is usually transaction markers. Either way it
/// is counted (dmp.ingest.offset_gaps) and logged, never silent.
/// </summary>
public sealed class OffsetGapDetector(ILogger log)
{
    private readonly Dictionary<int, long> _next = new();

    public void Observe(int partition, long offset)
    {
        if (_next.TryGetValue(partition, out var expected) && offset > expected)
        {
            var missing = offset - expected;
            DmpMetrics.OffsetGaps.Add(missing);
            log.LogWarning(
                "Partition {Partition}: offsets {From}..{To} ({Missing} records) were never received. On the embedded broker this means " +
                "they were dropped before being consumed (it keeps only the newest 5 MiB per partition): slow down producers or use a real Kafka",
                partition, expected, offset - 1, missing);
        }
        _next[partition] = offset + 1;
    }
}
