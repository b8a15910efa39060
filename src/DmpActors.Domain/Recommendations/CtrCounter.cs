namespace DmpActors.Domain.Recommendations;

/// <summary>The windows live CTR is reported over.</summary>
public enum CtrWindow
{
    Hour,
    Day,
    Week,
    Month,
}

/// <summary>Impressions and clicks over a window, with the Wilson score interval (95 %) of the click rate.</summary>
public readonly record struct CtrEstimate(long Impressions, long Clicks)
{
    public const double Z = 1.959964;

    public double Rate => Impressions > 0 ? Clicks / (double)Impressions : 0;

    /// <summary>Wilson score interval: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n); [0, 1] without impressions.</summary>
    public (double Low, double High) Wilson
    {
        get
        {
            if (Impressions <= 0) return (0, 1);
            double n = Impressions, p = Math.Min(1, Rate), z2 = Z * Z;
            var denominator = 1 + z2 / n;
            var centre = (p + z2 / (2 * n)) / denominator;
            var half = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
            return (Math.Max(0, centre - half), Math.Min(1, centre + half));
        }
    }
}

/// <summary>
/// Impressions and clicks of one item or slot in time buckets: 60 one-minute buckets (the hour), 24 one-hour buckets
/// (the day), 30 one-day buckets (the week and the month). A window counts whole buckets back from the current one,
/// the current one included: the hour is the last 60 minutes to the minute, the day the last 24 hours to the hour.
/// A click counts in the bucket of the impression it belongs to, so a rate never exceeds 1. About 1 KB each.
/// </summary>
public sealed class CtrCounter
{
    private static readonly long MinuteTicks = TimeSpan.TicksPerMinute, HourTicks = TimeSpan.TicksPerHour, DayTicks = TimeSpan.TicksPerDay;

    private readonly Ring _minutes = new(60, MinuteTicks), _hours = new(24, HourTicks), _days = new(30, DayTicks);

    public DateTimeOffset LastTouched { get; private set; }

    public void Add(DateTimeOffset at, int impressions, int clicks)
    {
        _minutes.Add(at, impressions, clicks);
        _hours.Add(at, impressions, clicks);
        _days.Add(at, impressions, clicks);
        if (at > LastTouched) LastTouched = at;
    }

    public CtrEstimate In(CtrWindow window, DateTimeOffset now) => window switch
    {
        CtrWindow.Hour => _minutes.Sum(now, 60),
        CtrWindow.Day => _hours.Sum(now, 24),
        CtrWindow.Week => _days.Sum(now, 7),
        _ => _days.Sum(now, 30),
    };

    private sealed class Ring(int length, long ticks)
    {
        private readonly long[] _bucket = InitBuckets(length);
        private readonly int[] _impressions = new int[length];
        private readonly int[] _clicks = new int[length];

        private static long[] InitBuckets(int n)
        {
            var b = new long[n];
            Array.Fill(b, long.MinValue);
            return b;
        }

        public void Add(DateTimeOffset at, int impressions, int clicks)
        {
            var index = at.UtcTicks / ticks;
            var slot = (int)(index % length);
            if (_bucket[slot] != index)
            {
                if (_bucket[slot] > index) return; // older than the ring keeps
                _bucket[slot] = index;
                _impressions[slot] = 0;
                _clicks[slot] = 0;
            }

            _impressions[slot] += impressions;
            _clicks[slot] += clicks;
        }

        public CtrEstimate Sum(DateTimeOffset now, int buckets)
        {
            var current = now.UtcTicks / ticks;
            long impressions = 0, clicks = 0;
            for (var i = 0; i < length; i++)
            {
                if (_bucket[i] > current - buckets && _bucket[i] <= current)
                {
                    impressions += _impressions[i];
                    clicks += _clicks[i];
                }
            }

            return new CtrEstimate(impressions, clicks);
        }
    }
}
