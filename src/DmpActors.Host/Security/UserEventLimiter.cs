using System.Collections.Concurrent;
using DmpActors.Engine.Hosting;

namespace DmpActors.Host.Security;

/// <summary>
/// A token bucket per user id on the collector, so one hot user (a bot, a replay loop) is slowed alone while
/// everyone else's events pass. Buckets refill lazily from the clock (no timer per user); full ones are dropped.
/// </summary>
public sealed class UserEventLimiter
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly double _perSecond;
    private readonly double _burst;
    private long _nextSweep;

    public UserEventLimiter(RateLimitOptions options, TimeProvider clock)
    {
        _clock = clock;
        _perSecond = options.UserEventsPerSecond;
        _burst = options.UserEventsBurst;
        _nextSweep = clock.GetTimestamp() + (long)(SweepEvery.TotalSeconds * clock.TimestampFrequency);
    }

    public bool Enabled => _perSecond > 0;

    /// <summary>How long until one more event of a limited user is accepted.</summary>
    public TimeSpan RetryAfter => Enabled ? TimeSpan.FromSeconds(1 / _perSecond) : TimeSpan.Zero;

    public int PerSecond => (int)_perSecond;

    /// <summary>Takes one event's token from the user's bucket; false when it is empty.</summary>
    public bool TryTake(string userId)
    {
        if (!Enabled) return true;
        var now = _clock.GetTimestamp();
        Sweep(now);
        var bucket = _buckets.GetOrAdd(userId, static (_, state) => new Bucket(state._burst, state.now), (_burst, now));
        lock (bucket)
        {
            bucket.Refill(now, _perSecond, _burst, _clock.TimestampFrequency);
            if (bucket.Tokens < 1) return false;
            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Drops buckets that have refilled: a full bucket is the same as none.</summary>
    private void Sweep(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + (long)(SweepEvery.TotalSeconds * _clock.TimestampFrequency), due) != due) return;
        foreach (var (id, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, _perSecond, _burst, _clock.TimestampFrequency);
                if (bucket.Tokens >= _burst) _buckets.TryRemove(KeyValuePair.Create(id, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens = tokens;
        private long _at = at;

        public void Refill(long now, double perSecond, double burst, long frequency)
        {
            if (now <= _at) return;
            Tokens = Math.Min(burst, Tokens + (now - _at) * perSecond / frequency);
            _at = now;
        }
    }
}
