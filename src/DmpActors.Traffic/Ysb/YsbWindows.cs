namespace DmpActors.Traffic.Ysb;

/// <summary>
/// YSB's tumbling event-time windows and its latency definition: a window's latency is the time of
/// its last published update minus the window's end, so it includes the publishing interval.
/// </summary>
public static class YsbWindows
{
    public const long WindowMs = 10_000;

    /// <summary>Start of the 10-second window holding <paramref name="eventTimeMs"/> (epoch milliseconds, floor for negatives).</summary>
    public static long WindowStart(long eventTimeMs) => eventTimeMs - (((eventTimeMs % WindowMs) + WindowMs) % WindowMs);

    public static long WindowEnd(long windowStartMs) => windowStartMs + WindowMs;

    /// <summary>
    /// Latency in milliseconds of every window that lies wholly inside [<paramref name="fromMs"/>, <paramref name="toMs"/>]:
    /// windows cut by the start or end of a run would measure the run's edges, not the pipeline.
    /// </summary>
    public static IReadOnlyList<long> Latencies(IEnumerable<WindowUpdate> lastUpdates, long fromMs, long toMs) =>
        lastUpdates
            .Where(u => u.WindowStartMs >= fromMs && WindowEnd(u.WindowStartMs) <= toMs)
            .Select(u => u.LastUpdateMs - WindowEnd(u.WindowStartMs))
            .ToList();
}

/// <summary>The published state of one campaign's window: its count and when it was last updated.</summary>
public readonly record struct WindowUpdate(string CampaignId, long WindowStartMs, long Count, long LastUpdateMs);
