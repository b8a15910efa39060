using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Tests.Profiles.Windows;

public class DistinctItemsTests
{
    private static DistinctItems Of(IEnumerable<int> items, int bound, long minute = 1000) =>
        items.Aggregate(DistinctItems.Empty, (d, i) => d.Record(DistinctItems.HashOf($"sku-{i}"), minute, bound, 0));

    [Theory]
    [InlineData(100)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public void Estimate_beyond_the_bound_is_within_forty_percent_of_the_true_count(int count)
    {
        var (estimate, exact) = Of(Enumerable.Range(0, count), bound: 16).CountSince(0, 10_000);

        Assert.False(exact);
        Assert.InRange(estimate, count * 0.6, count * 1.4);
    }

    [Fact]
    public void Merge_within_the_bound_is_the_union_whatever_the_order()
    {
        var a = Of(Enumerable.Range(0, 20), 64);
        var b = Of(Enumerable.Range(10, 20), 64, minute: 2000);

        Assert.Equal(a.Merge(b, 64, 0), b.Merge(a, 64, 0));
        Assert.Equal((30L, true), a.Merge(b, 64, 0).CountSince(0, 3000));
        Assert.Equal((20L, true), a.Merge(b, 64, 0).CountSince(1500, 3000));
    }

    [Fact]
    public void Sketches_older_than_the_day_tier_are_dropped()
    {
        var d = Of(Enumerable.Range(0, 100), bound: 8);
        Assert.True(d.SketchDays > 0);

        Assert.Equal(0, d.Expire(oldestDay: 1).SketchDays);
    }
}
