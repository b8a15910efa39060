using DmpActors.Engine.Observability;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Notices offsets that never arrive between two records of a partition. On the embedded broker
/// that means records were dropped before they were consumed (librdkafka's mock keeps only the
/// newest 5 MiB per partition); on a real Kafka it is usually transaction markers. Either way it
/// is counted (dmp.ingest.offset_gaps) and logged, never silent. The first record of each assignment is compared
/// with the offset the group had committed, so what was dropped while no engine was consuming (between a crash and
/// the restart, or during a rebalance) is counted too.
/// </summary>
public sealed class OffsetGapDetector(ILogger log)
{
    private readonly Dictionary<int, (long Assignment, long Next)> _next = new();

    public void Observe(int partition, long offset) => Observe(partition, offset, 0, null);

    /// <param name="assignment">Changes when the partition is assigned anew; <paramref name="assignmentStart"/> is then
    /// the committed offset it resumed from (null: none).</param>
    public void Observe(int partition, long offset, long assignment, long? assignmentStart)
    {
        long? expected = _next.TryGetValue(partition, out var known) && known.Assignment == assignment ? known.Next : assignmentStart;
        if (expected is { } from && offset > from)
        {
            var missing = offset - from;
            DmpMetrics.OffsetGaps.Add(missing);
            log.LogWarning(
                "Partition {Partition}: offsets {From}..{To} ({Missing} records) were never received. On the embedded broker this means " +
                "they were dropped before being consumed (it keeps only the newest 5 MiB per partition): slow down producers or use a real Kafka",
                partition, from, offset - 1, missing);
        }
        _next[partition] = (assignment, offset + 1);
    }
}
