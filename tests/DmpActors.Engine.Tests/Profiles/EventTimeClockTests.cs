using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Tests.Profiles;

public sealed class EventTimeClockTests
{
    private static readonly DateTimeOffset Wall = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Old = new(2011, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private sealed class StillClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Until_the_first_event_it_reads_the_start_or_else_the_wall_clock()
    {
        Assert.Equal(Wall, new EventTimeClock(new StillClock(Wall)).GetUtcNow());
        Assert.False(new EventTimeClock(new StillClock(Wall)).Started);
        Assert.Equal(Old, new EventTimeClock(new StillClock(Wall), Old).GetUtcNow());
    }

    [Fact]
    public void It_follows_the_latest_event_and_never_goes_back()
    {
        var clock = new EventTimeClock(new StillClock(Wall));
        clock.Observe(Old);
        Assert.Equal(Old, clock.GetUtcNow());
        clock.Observe(Old.AddDays(3));
        clock.Observe(Old.AddDays(1));
        Assert.Equal(Old.AddDays(3), clock.GetUtcNow());
        Assert.True(clock.Started);
    }

    [Fact]
    public void Events_observed_from_many_threads_leave_the_latest_of_them()
    {
        var clock = new EventTimeClock(new StillClock(Wall));
        var times = Enumerable.Range(0, 10_000).Select(i => Old.AddSeconds((i * 7919) % 10_000)).ToArray();
        Parallel.ForEach(times, clock.Observe);
        Assert.Equal(times.Max(), clock.GetUtcNow());
    }

    [Fact]
    public void An_offset_time_is_read_back_in_utc()
    {
        var clock = new EventTimeClock(new StillClock(Wall));
        clock.Observe(new DateTimeOffset(2011, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
        Assert.Equal(Old.AddHours(-1), clock.GetUtcNow());
    }
}
