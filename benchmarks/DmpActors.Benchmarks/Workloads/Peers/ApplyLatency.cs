using System.Diagnostics;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>
/// Per applied event: produced → applied (the record's timestamp, from the producer's delivery reports, to the moment
/// the runner saw it applied) and consumed → applied (from the consume loop handing it on). Thread-safe; keeps at most
/// <paramref name="capacity"/> samples.
/// </summary>
public sealed class ApplyLatency(long[][] producedUnixMs, int capacity)
{
    private readonly float[] _produced = new float[capacity];
    private readonly float[] _consumed = new float[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), capacity);

    /// <param name="consumedTimestamp">A <see cref="Stopwatch.GetTimestamp"/> taken when the record was consumed.</param>
    public void Applied(int partition, long offset, long consumedTimestamp) =>
        Add(partition, offset, UnixMs(DateTime.UtcNow), Stopwatch.GetElapsedTime(consumedTimestamp).TotalMilliseconds);

    public void Applied(int partition, long offset, DateTime appliedUtc, TimeSpan sinceConsumed) =>
        Add(partition, offset, UnixMs(appliedUtc), sinceConsumed.TotalMilliseconds);

    private void Add(int partition, long offset, double appliedUnixMs, double consumedMs)
    {
        var i = Interlocked.Increment(ref _count) - 1;
        if (i >= capacity) return;
        _produced[i] = (float)(appliedUnixMs - producedUnixMs[partition][offset]);
        _consumed[i] = (float)consumedMs;
    }

    public double ProducedPercentile(double p) => Percentile(_produced, p);

    public double ConsumedPercentile(double p) => Percentile(_consumed, p);

    private double Percentile(float[] values, double p)
    {
        var n = Count;
        if (n == 0) return double.NaN;
        var sorted = values.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(p * n) - 1, 0, n - 1)];
    }

    private static double UnixMs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
}

/// <summary>
/// The engine's apply times, read from its <c>dmp.ingest.consume</c> spans (they start when ingest reads the record
/// and stop when the user entity has applied it). A sampled share of the records gets a span; no other span is created.
/// </summary>
public sealed class EngineApplySpans : IDisposable
{
    private readonly ActivityListener _listener;

    public EngineApplySpans(ApplyLatency latency, double ratio)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Engine.Observability.DmpMetrics.MeterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> o) =>
                o.Name == "dmp.ingest.consume" && Random.Shared.NextDouble() < ratio ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = span =>
            {
                if (span.OperationName != "dmp.ingest.consume" || span.GetTagItem("dmp.outcome") is not "applied") return;
                if (span.GetTagItem("messaging.destination.partition.id") is not string p || span.GetTagItem("messaging.kafka.offset") is not long offset) return;
                latency.Applied(int.Parse(p, System.Globalization.CultureInfo.InvariantCulture), offset, span.StartTimeUtc + span.Duration, span.Duration);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();
}
