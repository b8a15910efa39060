namespace DmpActors.Host.Dashboard;

/// <summary>
/// The ingest's running totals on this node at one instant, as its metrics count them: records consumed, events
/// applied, events rejected per reason, checkpoints completed and the last checkpoint's duration.
/// </summary>
public sealed record StreamTotals(
    long Consumed,
    long Applied,
    IReadOnlyDictionary<string, long> RejectedByReason,
    long Checkpoints,
    double? LastCheckpointMs)
{
    public static readonly StreamTotals Zero = new(0, 0, new Dictionary<string, long>(), 0, null);

    public long Rejected => RejectedByReason.Values.Sum();
}

/// <summary>Per-second rates between two <see cref="StreamTotals"/>.</summary>
public sealed record StreamRates(double Consumed, double Applied, double Rejected, IReadOnlyDictionary<string, double> RejectedByReason)
{
    /// <summary>
    /// The rates from <paramref name="before"/> to <paramref name="after"/>, <paramref name="elapsed"/> apart. A total
    /// that went down (the counters started again) counts from zero, so a rate is never negative.
    /// </summary>
    public static StreamRates Between(StreamTotals before, StreamTotals after, TimeSpan elapsed)
    {
        double Rate(long from, long to) => PerSecond.Between(from, to, elapsed);
        var byReason = after.RejectedByReason.ToDictionary(r => r.Key, r => Rate(before.RejectedByReason.GetValueOrDefault(r.Key), r.Value));
        return new StreamRates(Rate(before.Consumed, after.Consumed), Rate(before.Applied, after.Applied), byReason.Values.Sum(), byReason);
    }
}

public static class PerSecond
{
    /// <summary>The growth of a total per second; a total that went down (its counter started again) counts from zero.</summary>
    public static double Between(long from, long to, TimeSpan elapsed) =>
        elapsed.TotalSeconds <= 0 ? 0 : (to >= from ? to - from : to) / elapsed.TotalSeconds;
}
