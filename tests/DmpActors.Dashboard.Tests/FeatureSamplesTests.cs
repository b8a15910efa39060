using DmpActors.Host.Dashboard;

namespace DmpActors.Dashboard.Tests;

public sealed class FeatureSamplesTests
{
    [Fact]
    public void Segment_changes_are_per_segment_rates_and_totals_in_id_order_with_a_new_segment_counted_from_zero()
    {
        var before = new Dictionary<string, SegmentChangeTotals> { ["vip"] = new(10, 4) };
        var after = new Dictionary<string, SegmentChangeTotals> { ["vip"] = new(16, 5), ["buyers"] = new(3, 0) };

        var samples = SegmentChangeSample.Between(before, after, TimeSpan.FromSeconds(2));

        Assert.Equal(["buyers", "vip"], samples.Select(s => s.Segment));
        Assert.Equal(new SegmentChangeSample("buyers", 1.5, 0, 3, 0), samples[0]);
        Assert.Equal(new SegmentChangeSample("vip", 3, 0.5, 16, 5), samples[1]);
    }

    [Fact]
    public void Recommendation_latency_is_the_median_95th_percentile_and_maximum_of_the_seconds_requests_and_null_without_requests()
    {
        var durations = Enumerable.Range(1, 20).Select(i => (double)i).Reverse().ToList();

        var sample = RecommendationSample.Of(100, 120, TimeSpan.FromSeconds(1), durations);

        Assert.Equal(new RecommendationSample(20, 120, 20, 10, 19, 20), sample);
        Assert.Equal(new RecommendationSample(0, 120, 0, null, null, null), RecommendationSample.Of(120, 120, TimeSpan.FromSeconds(1), []));
    }
}
