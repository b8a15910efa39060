namespace DmpActors.Domain.Profiles.Windows;

/// <summary>
/// The tiled bucket layout relative to a watermark minute W: minute buckets for minutes [W−59, W], hour buckets for
/// hours [H−24, H−1] (H = hour of W), day buckets for days [D−30, D−1] (D = day of H), all UTC. Each bucket has a fixed
/// ring position (0–59 minutes, 60–83 hours, 84–113 days), so a position plus the watermark identifies the bucket.
/// An event (or an older bucket when the watermark moves) rests in the finest tier that still covers it.
/// </summary>
internal static class BucketGrid
{
    public const int MinuteTier = 0, HourTier = 1, DayTier = 2;
    public const int HourBase = 60, DayBase = 84, Positions = 114;
    public const int MinutesPerHour = 60, MinutesPerDay = 1440;

    public static long MinuteOf(DateTimeOffset t) => FloorDiv(t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerMinute);

    /// <summary>The ring position where a bucket (tier, index) rests under watermark minute <paramref name="wm"/>,
    /// coarsening it as far as needed; −1 when it is older than the day tier.</summary>
    public static int Settle(int tier, long index, long wm)
    {
        if (tier == MinuteTier)
        {
            if (index >= wm - 59) return (int)Mod(index, 60);
            index = FloorDiv(index, MinutesPerHour);
        }

        var wh = FloorDiv(wm, MinutesPerHour);
        if (tier <= HourTier)
        {
            if (index >= wh - 24) return HourBase + (int)Mod(index, 24);
            index = FloorDiv(index, 24);
        }

        var wd = FloorDiv(wh, 24);
        return index >= wd - 30 ? DayBase + (int)Mod(index, 30) : -1;
    }

    /// <summary>The bucket (tier, index) held at a ring position under watermark minute <paramref name="wm"/>.</summary>
    public static (int Tier, long Index) Locate(int position, long wm)
    {
        if (position < HourBase) return (MinuteTier, wm - Mod(wm - position, 60));
        var wh = FloorDiv(wm, MinutesPerHour);
        if (position < DayBase) return (HourTier, wh - 1 - Mod(wh - 1 - (position - HourBase), 24));
        var wd = FloorDiv(wh, 24);
        return (DayTier, wd - 1 - Mod(wd - 1 - (position - DayBase), 30));
    }

    /// <summary>First minute and length in minutes of the bucket at a position.</summary>
    public static (long Start, long Length) Span(int position, long wm)
    {
        var (tier, index) = Locate(position, wm);
        return tier switch
        {
            MinuteTier => (index, 1),
            HourTier => (index * MinutesPerHour, MinutesPerHour),
            _ => (index * MinutesPerDay, MinutesPerDay),
        };
    }

    public static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    public static long Mod(long a, long b) => ((a % b) + b) % b;
}
