using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

public sealed class BackfillPaceTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void The_pace_grants_users_at_its_rate_and_never_more_than_wanted()
    {
        var pace = new BackfillPace(1000);

        Assert.Equal(1, pace.Take(Ms(0), 50)); // one to start with
        Assert.Equal(10, pace.Take(Ms(10), 50)); // 10 ms at 1000/s
        Assert.Equal(3, pace.Take(Ms(20), 3)); // no more than wanted; the rest stays in the bucket
        Assert.Equal(17, pace.Take(Ms(30), 50));
        Assert.Equal(0, pace.Take(Ms(30), 50));
    }

    [Fact]
    public void A_pause_is_not_made_up_by_more_than_a_tenth_of_a_second_of_users()
    {
        var pace = new BackfillPace(1000);
        pace.Take(Ms(0), 1);

        Assert.Equal(100, pace.Take(Ms(5000), 10_000));
        Assert.Equal(0, pace.Take(Ms(5000), 10_000));
    }

    [Fact]
    public void A_slow_pace_still_sends_one_user_at_a_time()
    {
        var pace = new BackfillPace(2);

        Assert.Equal(1, pace.Take(Ms(0), 5));
        Assert.Equal(0, pace.Take(Ms(400), 5));
        Assert.Equal(1, pace.Take(Ms(600), 5));
        Assert.Equal(1, pace.Take(Ms(60_000), 5)); // the bucket holds at least one
    }
}
