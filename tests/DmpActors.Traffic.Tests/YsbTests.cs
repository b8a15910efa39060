using System.Text;
using System.Text.Json;
using DmpActors.Traffic.Measurement;
using DmpActors.Traffic.Ysb;
using FsCheck.Xunit;

namespace DmpActors.Traffic.Tests;

public class YsbTests
{
    [Fact]
    public void Campaign_table_has_100_campaigns_of_10_ads_and_joins_each_ad_to_its_campaign()
    {
        var table = new YsbCampaigns(seed: 1);

        Assert.Equal(100, table.Campaigns.Distinct().Count());
        Assert.Equal(1_000, table.Ads.Distinct().Count());
        Assert.All(table.Ads.Concat(table.Campaigns), id => Assert.True(Guid.TryParse(id, out _), id));
        Assert.All(table.Ads.GroupBy(table.CampaignOf), g => Assert.Equal(10, g.Count()));
        Assert.Equal(table.Campaigns[3], table.CampaignOf(table.Ads[35]));
        Assert.Null(table.CampaignOf(Guid.Empty.ToString()));
        Assert.Equal(table.Ads, new YsbCampaigns(seed: 1).Ads);
    }

    [Fact]
    public void Generated_events_have_the_ysb_fields_and_read_back_as_views_a_third_of_the_time()
    {
        var table = new YsbCampaigns(seed: 2);
        var writer = new YsbEventWriter(table, seed: 3);
        var views = 0;
        const int count = 30_000;
        for (var i = 0; i < count; i++)
        {
            var time = 1_700_000_000_000 + i;
            var (json, isView, adIndex) = writer.Next(time);
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            Assert.Equal(["user_id", "page_id", "ad_id", "ad_type", "event_type", "event_time", "ip_address"],
                root.EnumerateObject().Select(p => p.Name));
            Assert.Contains(root.GetProperty("ad_type").GetString(), YsbEventWriter.AdTypes);
            Assert.Equal(time.ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("event_time").GetString());

            Assert.Equal(isView, YsbEventReader.TryReadView(json, out var view));
            Assert.Equal(isView, root.GetProperty("event_type").GetString() == "view");
            Assert.Equal(new YsbView(table.Ads[adIndex], time), view);
            if (isView) views++;
        }
        // A third, within 5 binomial standard errors (σ ≈ 0.0027 for 30,000 events).
        Assert.InRange(views / (double)count, 1 / 3.0 - 0.014, 1 / 3.0 + 0.014);
    }

    [Theory]
    [InlineData("""{"ad_id":"a","event_type":"view"}""")]
    [InlineData("""{"ad_id":"a","event_type":"view","event_time":1700000000000}""")]
    [InlineData("""{"ad_id":"a","event_type":"view","event_time":"17x"}""")]
    [InlineData("""{"ad_id":"a","event_type":"view","event_time":"1""")]
    [InlineData("not json")]
    public void Events_that_are_not_json_or_lack_a_numeric_event_time_string_are_rejected(string json)
    {
        Assert.Throws<FormatException>(() => YsbEventReader.TryReadView(Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void Nested_fields_do_not_pass_for_top_level_ones()
    {
        var json = """{"x":{"event_type":"click"},"ad_id":"a","event_type":"view","event_time":"20000"}"""u8;

        Assert.True(YsbEventReader.TryReadView(json, out var view));
        Assert.Equal(new YsbView("a", 20_000), view);
    }

    [Property(MaxTest = 500)]
    public bool Every_event_time_falls_in_the_ten_second_window_that_starts_at_its_window_start(long eventTimeMs)
    {
        var time = eventTimeMs / 4; // keep start + 10 s inside long
        var start = YsbWindows.WindowStart(time);
        return start <= time && time < YsbWindows.WindowEnd(start) && start % YsbWindows.WindowMs == 0;
    }

    [Fact]
    public void Window_latency_is_last_update_minus_window_end_for_windows_inside_the_run_only()
    {
        WindowUpdate[] updates =
        [
            new("c1", 0, 5, 10_900),        // starts before the run: cut, excluded
            new("c1", 10_000, 7, 20_800),   // inside: 800 ms
            new("c2", 10_000, 3, 21_500),   // inside: 1,500 ms
            new("c1", 20_000, 4, 30_950),   // ends after the run: excluded
        ];

        Assert.Equal([800L, 1_500L], YsbWindows.Latencies(updates, fromMs: 5_000, toMs: 25_000));
        Assert.Equal(-10_000, YsbWindows.WindowStart(-1));
    }

    [Fact]
    public void Latency_summary_uses_nearest_rank_percentiles()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 1000).Select(i => (double)i).Reverse());

        Assert.Equal((1000, 1.0, 500.0, 900.0, 990.0, 999.0, 1000.0, 500.5),
            (summary.Count, summary.Min, summary.P50, summary.P90, summary.P99, summary.P999, summary.Max, summary.Mean));
        Assert.Equal(7.0, LatencySummary.Of([7.0]).P999);
        Assert.Throws<ArgumentException>(() => LatencySummary.Of([]));
    }
}
