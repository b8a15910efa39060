namespace DmpActors.Traffic.Measurement;

/// <summary>
/// A fixed offered-load timeline (coordinated-omission-free load): event <c>i</c> (0-based) is due at
/// <c>i / rate</c> seconds after the start, however late it is actually sent. A sender that falls behind
/// sends everything already due at once; latencies are measured from <see cref="IntendedOffset"/>, so time
/// spent waiting behind a slow system is counted rather than silently omitted.
/// </summary>
public sealed record FixedSchedule
{
    public FixedSchedule(double ratePerSecond, long total)
    {
        if (!(ratePerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "rate must be positive");
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        RatePerSecond = ratePerSecond;
        Total = total;
    }

    public double RatePerSecond { get; }

    public long Total { get; }

    /// <summary>The schedule that offers <paramref name="ratePerSecond"/> for <paramref name="duration"/>.</summary>
    public static FixedSchedule For(double ratePerSecond, TimeSpan duration) => new(ratePerSecond, (long)(ratePerSecond * duration.TotalSeconds));

    /// <summary>When event <paramref name="index"/> should be sent, as an offset from the start of the schedule.</summary>
    public TimeSpan IntendedOffset(long index) => TimeSpan.FromTicks((long)(index * (TimeSpan.TicksPerSecond / RatePerSecond)));

    /// <summary>How many events are due (indices 0 … n−1) once <paramref name="elapsed"/> has passed since the start; at most <see cref="Total"/>.</summary>
    public long DueBy(TimeSpan elapsed) =>
        elapsed < TimeSpan.Zero ? 0 : Math.Min(Total, (long)Math.Floor(elapsed.Ticks * RatePerSecond / TimeSpan.TicksPerSecond) + 1);

    /// <summary>The offered loads at the given fractions of a measured maximum rate (at least 1 event/s each).</summary>
    public static int[] LoadsAt(double maxRatePerSecond, IReadOnlyList<double> fractions) =>
        fractions.Select(f => Math.Max(1, (int)Math.Round(maxRatePerSecond * f))).ToArray();
}

/// <summary>One event's latency from its intended send time to when its effect was observed (both offsets from the schedule's start).</summary>
public readonly record struct IntendedLatency(long Index, TimeSpan Intended, TimeSpan Observed)
{
    /// <summary>Observed − intended: includes any time the sender was behind schedule.</summary>
    public TimeSpan Latency => Observed - Intended;

    /// <summary>Percentiles in milliseconds of the latencies measured from intended send time; null when there are none.</summary>
    public static LatencySummary? SummaryMs(IEnumerable<IntendedLatency> samples)
    {
        var ms = samples.Select(s => s.Latency.TotalMilliseconds).ToArray();
        return ms.Length == 0 ? null : LatencySummary.Of(ms);
    }
}
