using DmpActors.Host.Dashboard;

namespace DmpActors.Dashboard.Tests;

public sealed class StreamRatesTests
{
    private static StreamTotals Totals(long consumed, long applied, params (string Reason, long Count)[] rejected) =>
        new(consumed, applied, rejected.ToDictionary(r => r.Reason, r => r.Count), 0, null);

    [Fact]
    public void Rates_are_the_growth_of_each_total_per_second()
    {
        var rates = StreamRates.Between(Totals(100, 90, ("unknown_type", 4)), Totals(500, 470, ("unknown_type", 10), ("malformed_json", 2)), TimeSpan.FromSeconds(2));

        Assert.Equal(200, rates.Consumed);
        Assert.Equal(190, rates.Applied);
        Assert.Equal(3, rates.RejectedByReason["unknown_type"]);
        Assert.Equal(1, rates.RejectedByReason["malformed_json"]);
        Assert.Equal(4, rates.Rejected);
    }

    [Fact]
    public void A_total_that_started_again_counts_from_zero_and_no_time_means_no_rate()
    {
        Assert.Equal(30, StreamRates.Between(Totals(1000, 1000), Totals(30, 30), TimeSpan.FromSeconds(1)).Consumed);
        Assert.Equal(0, StreamRates.Between(Totals(0, 0), Totals(30, 30), TimeSpan.Zero).Consumed);
    }
}
