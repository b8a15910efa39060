using DmpActors.Domain.Campaigns;

namespace DmpActors.Domain.Tests.Campaigns;

/// <summary>Each expected value worked by hand from the formula in the comment (z = 1.96 for 95 %).</summary>
public sealed class CampaignStatisticsTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Wilson_interval_of_10_clicks_in_100()
    {
        // centre = (p + z²/2n) / (1 + z²/n) = (0.1 + 0.019208) / 1.038415 = 0.114797
        // half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n) = 1.96 · √(0.0009 + 0.000096) / 1.038415 = 0.059568
        var ctr = CampaignStatistics.ClickThroughRate(10, 100);
        Assert.Equal(0.1, ctr.Estimate, Tolerance);
        Assert.Equal(0.05523, ctr.Low, Tolerance);
        Assert.Equal(0.17437, ctr.High, Tolerance);
    }

    [Fact]
    public void Wilson_interval_of_no_clicks_is_not_degenerate()
    {
        // p = 0: centre = half = (z²/2n) / (1 + z²/n) = 0.09604 / 1.19208 = 0.08056; high = 0.16113
        var ctr = CampaignStatistics.Wilson(0, 20);
        Assert.Equal(0, ctr.Low, Tolerance);
        Assert.Equal(0.16113, ctr.High, Tolerance);
    }

    [Fact]
    public void Two_proportion_z_test_of_20_against_15_percent()
    {
        // pooled p = 350/2000 = 0.175; se = √(0.175 · 0.825 · (1/1000 + 1/1000)) = 0.016993
        // z = (0.20 − 0.15) / 0.016993 = 2.9424; two-sided p = 2·(1 − Φ(2.9424)) = 0.00326
        var test = CampaignStatistics.TwoProportionZ(200, 1000, 150, 1000);
        Assert.Equal(2.9424, test.Z, Tolerance);
        Assert.Equal(0.00326, test.PValue, Tolerance);
    }

    [Fact]
    public void Equal_rates_are_not_significant()
    {
        var test = CampaignStatistics.TwoProportionZ(50, 500, 100, 1000);
        Assert.Equal(0, test.Z, Tolerance);
        Assert.Equal(1, test.PValue, Tolerance);
    }

    [Fact]
    public void Lift_over_the_holdout_with_its_interval()
    {
        // diff = 0.20 − 0.15 = 0.05; se = √(0.2·0.8/1000 + 0.15·0.85/1000) = √0.0002875 = 0.016956
        // interval = 0.05 ± 1.96 · 0.016956 = [0.016767, 0.083233]; relative = 0.05 / 0.15 = 0.3333
        var lift = CampaignStatistics.LiftOverHoldout(200, 1000, 150, 1000);
        Assert.Equal(0.05, lift.Difference, Tolerance);
        Assert.Equal(0.016767, lift.Low, Tolerance);
        Assert.Equal(0.083233, lift.High, Tolerance);
        Assert.Equal(1 / 3.0, lift.Relative!.Value, Tolerance);
    }

    [Fact]
    public void Normal_distribution_function_at_known_points()
    {
        Assert.Equal(0.5, CampaignStatistics.NormalCdf(0), 1e-7);
        Assert.Equal(0.975, CampaignStatistics.NormalCdf(1.959964), 1e-6);
        Assert.Equal(0.158655, CampaignStatistics.NormalCdf(-1), 1e-6);
    }

    [Fact]
    public void Purchases_go_to_the_latest_click_within_the_window()
    {
        var t = new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var clicks = new[]
        {
            new OfferClick("u1", "c1", "a", t),
            new OfferClick("u1", "c2", "b", t.AddHours(2)),
            new OfferClick("u2", "c1", "a", t),
        };
        var purchases = new[]
        {
            new Purchase("u1", t.AddHours(1), 10m),  // only c1 had been clicked
            new Purchase("u1", t.AddHours(3), 20m),  // c2 is the latest click
            new Purchase("u2", t.AddHours(25), 30m), // 25 h after the click: outside 24 h
            new Purchase("u3", t.AddHours(1), 40m),  // never clicked
        };
        var conversions = Attribution.Attribute(clicks, purchases, Attribution.DefaultWindow);
        Assert.Equal(new[] { ("c1", 10m), ("c2", 20m) }, conversions.Select(c => (c.Click.CampaignId, c.Purchase.Revenue)));
    }
}
