using DmpActors.Domain.Campaigns;
using static DmpActors.Domain.Tests.Campaigns.CampaignFixtures;

namespace DmpActors.Domain.Tests.Campaigns;

public sealed class CampaignDeciderTests
{
    private static readonly DateTimeOffset Noon = new(2027, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Paused_campaign_decides_paused_before_anything_else()
    {
        var d = CampaignDecider.Decide(Campaign() with { Paused = true }, Input("u1", Noon) with { MarketingDenied = true });
        Assert.Equal("paused", d.Code);
    }

    [Fact]
    public void Denied_marketing_consent_is_no_consent()
    {
        var d = CampaignDecider.Decide(Campaign(), Input("u1", Noon) with { MarketingDenied = true });
        Assert.Equal(DecisionOutcome.NoConsent, d.Outcome);
        Assert.Equal("no_consent", d.Code);
        Assert.Null(d.VariantId);
    }

    [Fact]
    public void Outside_start_and_end_is_not_active()
    {
        var c = Campaign() with { StartsAt = Noon.AddHours(1), EndsAt = Noon.AddDays(1) };
        Assert.Equal(DecisionOutcome.NotActive, CampaignDecider.Decide(c, Input("u1", Noon)).Outcome);
        Assert.Equal(DecisionOutcome.Sent, CampaignDecider.Decide(c, Input("u1", Noon.AddHours(2))).Outcome);
        Assert.Equal(DecisionOutcome.NotActive, CampaignDecider.Decide(c, Input("u1", Noon.AddDays(1))).Outcome);
    }

    [Fact]
    public void Holdout_users_never_receive_and_the_share_matches_the_percentage()
    {
        var c = Campaign() with { HoldoutPercent = 20 };
        var users = Enumerable.Range(0, 20_000).Select(i => $"user-{i}").ToList();
        var held = users.Where(u => CampaignDecider.Decide(c, Input(u, Noon)).Outcome == DecisionOutcome.Holdout).ToList();
        Assert.InRange(held.Count / 20_000.0, 0.19, 0.21);
        // Stable: the same users are held out at any other time, with any history and budget left.
        foreach (var u in held.Take(500))
        {
            var later = CampaignDecider.Decide(c, Input(u, Noon.AddDays(40)) with { CampaignSent = 0 });
            Assert.Equal(DecisionOutcome.Holdout, later.Outcome);
            Assert.Null(later.VariantId);
        }
    }

    [Fact]
    public void Budget_spent_is_out_of_budget()
    {
        var c = Campaign() with { Budget = 3 };
        Assert.Equal(DecisionOutcome.Sent, CampaignDecider.Decide(c, Input("u1", Noon) with { CampaignSent = 2 }).Outcome);
        var d = CampaignDecider.Decide(c, Input("u1", Noon) with { CampaignSent = 3 });
        Assert.Equal("out_of_budget", d.Code);
    }

    [Fact]
    public void Campaign_cap_counts_the_users_local_day()
    {
        // 1 a day in Europe/London (GMT in early March): an offer at 23:30 UTC on the 9th was on the local 9th.
        var c = Campaign() with { Caps = [new FrequencyCap(1, CapPeriod.Day)] };
        var history = new[] { new SentOffer(c.Id, new DateTimeOffset(2027, 3, 9, 23, 30, 0, TimeSpan.Zero)) };
        var input = Input("u1", Noon) with { Zone = London, History = history };
        Assert.Equal(DecisionOutcome.Sent, CampaignDecider.Decide(c, input).Outcome);

        // In Asia/Tokyo (UTC+9) the same offer was at 08:30 on the 10th: the cap is reached.
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var d = CampaignDecider.Decide(c, input with { Zone = tokyo, Now = new DateTimeOffset(2027, 3, 10, 12, 0, 0, TimeSpan.Zero) });
        Assert.Equal(DecisionOutcome.Capped, d.Outcome);
        Assert.Contains("campaign cap 1/day", d.Reason);
    }

    [Fact]
    public void Global_week_cap_counts_every_campaign_since_local_monday()
    {
        // Wednesday 10 March 2027; Monday the 8th began at 00:00 UTC in London.
        var history = new[]
        {
            new SentOffer("other-1", new DateTimeOffset(2027, 3, 7, 23, 59, 0, TimeSpan.Zero)), // Sunday: last week
            new SentOffer("other-1", new DateTimeOffset(2027, 3, 8, 9, 0, 0, TimeSpan.Zero)),
            new SentOffer("other-2", new DateTimeOffset(2027, 3, 9, 9, 0, 0, TimeSpan.Zero)),
        };
        var input = Input("u1", Noon) with { Zone = London, History = history, GlobalCaps = [new FrequencyCap(3, CapPeriod.Week)] };
        Assert.Equal(DecisionOutcome.Sent, CampaignDecider.Decide(Campaign(), input).Outcome);
        var more = input with { History = [.. history, new SentOffer("other-3", Noon.AddHours(-1))] };
        var d = CampaignDecider.Decide(Campaign(), more);
        Assert.Equal(DecisionOutcome.Capped, d.Outcome);
        Assert.StartsWith("global cap 3/week reached: 3 sent since 2027-03-08 00:00", d.Reason);
    }

    [Fact]
    public void Quiet_hours_defer_until_they_end_or_drop()
    {
        var quiet = new QuietHours(new TimeOnly(21, 0), new TimeOnly(8, 0), QuietHoursMode.Defer);
        var evening = new DateTimeOffset(2027, 3, 10, 22, 0, 0, TimeSpan.Zero);
        var d = CampaignDecider.Decide(Campaign() with { QuietHours = quiet }, Input("u1", evening) with { Zone = London });
        Assert.Equal(DecisionOutcome.Deferred, d.Outcome);
        Assert.Equal(new DateTimeOffset(2027, 3, 11, 8, 0, 0, TimeSpan.Zero), d.DeferredUntil);

        var dropped = CampaignDecider.Decide(Campaign() with { QuietHours = quiet with { Mode = QuietHoursMode.Drop } },
            Input("u1", evening) with { Zone = London });
        Assert.Equal(DecisionOutcome.Dropped, dropped.Outcome);
        Assert.Null(dropped.DeferredUntil);
    }

    [Fact]
    public void A_sent_decision_names_its_variant_and_keeps_it_for_the_user()
    {
        var first = CampaignDecider.Decide(Campaign(), Input("u7", Noon));
        Assert.Equal(DecisionOutcome.Sent, first.Outcome);
        Assert.Contains(first.VariantId, new[] { "a", "b" });
        Assert.Equal(first.VariantId, CampaignDecider.Decide(Campaign(), Input("u7", Noon.AddDays(3))).VariantId);
    }
}
