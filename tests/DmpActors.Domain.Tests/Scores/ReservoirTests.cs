using DmpActors.Domain.Scores;

namespace DmpActors.Domain.Tests.Scores;

public class ReservoirTests
{
    [Fact]
    public void Holds_everything_until_full_then_never_more_than_its_capacity()
    {
        var r = new Reservoir<int>(10, new Random(1));
        for (var i = 0; i < 5; i++) Assert.True(r.Offer(i));
        Assert.Equal([0, 1, 2, 3, 4], r.Snapshot());

        for (var i = 5; i < 10_000; i++) r.Offer(i);

        Assert.Equal(10, r.Count);
        Assert.Equal(10_000, r.Seen);
        Assert.Equal(10, r.Snapshot().Distinct().Count());
    }

    [Fact]
    public void Every_item_of_the_stream_is_equally_likely_to_be_kept()
    {
        // 20,000 reservoirs of 10 over a stream of 100: each item should be kept ~2,000 times (p = 0.1).
        var kept = new int[100];
        var random = new Random(7);
        for (var run = 0; run < 20_000; run++)
        {
            var r = new Reservoir<int>(10, random);
            for (var i = 0; i < 100; i++) r.Offer(i);
            foreach (var i in r.Snapshot()) kept[i]++;
        }

        // Binomial(20000, 0.1): σ ≈ 42; ±5σ.
        Assert.All(kept, k => Assert.InRange(k, 2_000 - 210, 2_000 + 210));
        Assert.InRange(kept.Take(50).Sum() - kept.Skip(50).Sum(), -1_500, 1_500);
    }

    [Fact]
    public void Clear_starts_a_new_sample()
    {
        var r = new Reservoir<string>(3, new Random(1));
        r.Offer("a");
        r.Offer("b");

        r.Clear();
        r.Offer("c");

        Assert.Equal(["c"], r.Snapshot());
        Assert.Equal(1, r.Seen);
    }

    [Fact]
    public void A_capacity_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Reservoir<int>(0, new Random()));
}
