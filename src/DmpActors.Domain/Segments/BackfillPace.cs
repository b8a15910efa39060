namespace DmpActors.Domain.Segments;

/// <summary>
/// The backfill's throttle: a token bucket that fills at <c>usersPerSecond</c> and holds at most a tenth of a second's
/// worth (at least one), so a pause in the walk (a slow page of ids) is not made up by a burst afterwards.
/// </summary>
public sealed class BackfillPace
{
    private readonly double _perSecond;
    private readonly double _capacity;
    private double _tokens;
    private TimeSpan? _last;

    public BackfillPace(double usersPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(usersPerSecond);
        _perSecond = usersPerSecond;
        _capacity = Math.Max(1, usersPerSecond / 10);
        _tokens = 1;
    }

    /// <summary>How many of <paramref name="wanted"/> users may be sent at <paramref name="now"/> (any monotonic
    /// time); those are taken from the bucket.</summary>
    public int Take(TimeSpan now, int wanted)
    {
        if (_last is { } last && now > last) _tokens = Math.Min(_capacity, _tokens + (now - last).TotalSeconds * _perSecond);
        _last = now;
        var granted = (int)Math.Min(Math.Max(0, wanted), Math.Floor(_tokens));
        _tokens -= granted;
        return granted;
    }
}
