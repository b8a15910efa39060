using DmpActors.Traffic.Measurement;

namespace DmpActors.Traffic.Tests;

public class FixedScheduleTests
{
    [Fact]
    public void Event_i_is_due_at_i_over_rate_whatever_the_send_time()
    {
        var schedule = FixedSchedule.For(1_000, TimeSpan.FromSeconds(2));

        Assert.Equal(2_000, schedule.Total);
        Assert.Equal(TimeSpan.Zero, schedule.IntendedOffset(0));
        Assert.Equal(TimeSpan.FromMilliseconds(1), schedule.IntendedOffset(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1_500), schedule.IntendedOffset(1_500));
    }

    [Fact]
    public void Due_count_grows_with_elapsed_time_and_stops_at_the_total()
    {
        var schedule = new FixedSchedule(100, 50);

        Assert.Equal(0, schedule.DueBy(TimeSpan.FromMilliseconds(-1)));
        Assert.Equal(1, schedule.DueBy(TimeSpan.Zero));
        Assert.Equal(1, schedule.DueBy(TimeSpan.FromMilliseconds(9)));
        Assert.Equal(2, schedule.DueBy(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(11, schedule.DueBy(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(50, schedule.DueBy(TimeSpan.FromSeconds(60)));
        // Every event counted as due by t has its intended time at or before t.
        for (var ms = 0; ms < 600; ms += 7)
        {
            var t = TimeSpan.FromMilliseconds(ms);
            var due = schedule.DueBy(t);
            Assert.True(schedule.IntendedOffset(due - 1) <= t);
            if (due < schedule.Total) Assert.True(schedule.IntendedOffset(due) > t);
        }
    }

    [Fact]
    public void A_sender_that_stalls_is_charged_from_the_intended_time_not_the_actual_send()
    {
        var schedule = new FixedSchedule(1_000, 10);
        // The sender stalled for 100 ms before event 5 and sent 5..9 together at 100 ms; each became visible 2 ms later.
        var samples = Enumerable.Range(0, 10).Select(i =>
        {
            var sent = i < 5 ? schedule.IntendedOffset(i) : TimeSpan.FromMilliseconds(100);
            return new IntendedLatency(i, schedule.IntendedOffset(i), sent + TimeSpan.FromMilliseconds(2));
        }).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(2), samples[0].Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(97), samples[5].Latency);
        var summary = IntendedLatency.SummaryMs(samples)!;
        Assert.Equal(10, summary.Count);
        Assert.Equal(2, summary.P50, 6);
        Assert.Equal(97, summary.Max, 6);
        Assert.Null(IntendedLatency.SummaryMs([]));
    }

    [Fact]
    public void Loads_are_fractions_of_the_maximum_rate()
    {
        Assert.Equal([2_500, 5_000, 7_500], FixedSchedule.LoadsAt(10_000, [0.25, 0.5, 0.75]));
        Assert.Equal([1], FixedSchedule.LoadsAt(1, [0.25]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedSchedule(0, 1));
    }
}
