using DmpActors.Domain.Campaigns;
using static DmpActors.Domain.Tests.Campaigns.CampaignFixtures;

namespace DmpActors.Domain.Tests.Campaigns;

/// <summary>Europe/London moves from GMT to BST at 01:00 UTC on Sunday 28 March 2027 and back at 01:00 UTC on 31 October.</summary>
public sealed class QuietHoursDstTests
{
    private static readonly QuietHours Night = new(new TimeOnly(22, 0), new TimeOnly(8, 0), QuietHoursMode.Defer);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2027, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Night_before_the_spring_change_ends_at_eight_summer_time()
    {
        Assert.Equal(Utc(3, 28, 7), QuietHoursWindow.EndsAt(Night, Utc(3, 27, 23), London));
    }

    [Fact]
    public void After_the_spring_change_eight_local_is_seven_utc()
    {
        Assert.Equal(Utc(3, 28, 7), QuietHoursWindow.EndsAt(Night, Utc(3, 28, 6, 30), London));
        Assert.Null(QuietHoursWindow.EndsAt(Night, Utc(3, 28, 7, 30), London)); // 08:30 BST: open, though 07:30 UTC
        Assert.NotNull(QuietHoursWindow.EndsAt(Night, Utc(3, 28, 7, 30), TimeZoneInfo.Utc));
    }

    [Fact]
    public void An_end_in_the_skipped_hour_means_the_first_instant_after_it()
    {
        var quiet = Night with { End = new TimeOnly(1, 30) }; // 01:30 never happens on 28 March
        Assert.Equal(Utc(3, 28, 1), QuietHoursWindow.EndsAt(quiet, Utc(3, 28, 0, 30), London)); // 02:00 BST
    }

    [Fact]
    public void An_end_in_the_repeated_hour_means_its_first_occurrence()
    {
        var quiet = Night with { End = new TimeOnly(1, 30) }; // 01:30 happens twice on 31 October
        Assert.Equal(Utc(10, 31, 0, 30), QuietHoursWindow.EndsAt(quiet, Utc(10, 31, 0), London)); // 01:30 BST
    }

    [Fact]
    public void The_decision_defers_across_the_change()
    {
        var c = Campaign() with { QuietHours = Night };
        var d = CampaignDecider.Decide(c, Input("u1", Utc(3, 28, 6, 59)) with { Zone = London });
        Assert.Equal(DecisionOutcome.Deferred, d.Outcome);
        Assert.Equal(Utc(3, 28, 7), d.DeferredUntil);
        Assert.Equal(DecisionOutcome.Sent, CampaignDecider.Decide(c, Input("u1", Utc(3, 28, 7)) with { Zone = London }).Outcome);
    }

    [Fact]
    public void The_local_day_after_the_change_starts_at_23_utc()
    {
        Assert.Equal(Utc(3, 28, 23), LocalPeriods.PeriodStart(Utc(3, 29, 10), London, CapPeriod.Day));
        var c = Campaign() with { Caps = [new FrequencyCap(1, CapPeriod.Day)] };
        var input = Input("u1", Utc(3, 29, 10)) with { Zone = London, History = [new SentOffer(c.Id, Utc(3, 28, 23, 30))] };
        Assert.Equal(DecisionOutcome.Capped, CampaignDecider.Decide(c, input).Outcome); // 00:30 BST on the 29th
    }
}
