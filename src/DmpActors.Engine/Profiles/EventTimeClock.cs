namespace DmpActors.Engine.Profiles;

/// <summary>
/// The profile clock of an engine running with <c>Profiles:Clock = event</c>: it reads the latest event time this node
/// has consumed, so recency, lifecycle and windows are judged against the data's time (a replay of old history, a
/// backtest) instead of the wall clock. It never goes back once an event has moved it; until the first event it
/// reads <c>Profiles:EventClockStart</c> when set, or else the wall clock. Timers and timeouts still use the wall
/// clock: only <see cref="GetUtcNow"/> follows the events.
/// </summary>
public sealed class EventTimeClock(TimeProvider wall, DateTimeOffset? start = null) : TimeProvider
{
    private long _latestTicks = start?.UtcTicks ?? 0;

    /// <summary>Moves the clock to <paramref name="eventTime"/> when it is later than what the clock reads.</summary>
    public void Observe(DateTimeOffset eventTime)
    {
        var ticks = eventTime.UtcTicks;
        var seen = Volatile.Read(ref _latestTicks);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _latestTicks, ticks, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    /// <summary>True once an event (or <c>EventClockStart</c>) has set the clock.</summary>
    public bool Started => Volatile.Read(ref _latestTicks) != 0;

    public override DateTimeOffset GetUtcNow()
    {
        var ticks = Volatile.Read(ref _latestTicks);
        return ticks == 0 ? wall.GetUtcNow() : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public override long GetTimestamp() => wall.GetTimestamp();

    public override long TimestampFrequency => wall.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => wall.LocalTimeZone;
}
