using DmpActors.Domain.Campaigns;
using DmpActors.Domain.Profiles;
using static DmpActors.Domain.Tests.Campaigns.CampaignFixtures;

namespace DmpActors.Domain.Tests.Campaigns;

public sealed class TriggerDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static UserProfile Profile(bool? marketing = null, string? zone = null, int orders = 0) => new()
    {
        Id = "u1",
        Orders = orders,
        Consent = marketing is { } m ? new Dictionary<string, ConsentState> { ["marketing"] = new(m, Now.AddDays(-1)) } : null,
        Traits = zone is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["timezone"] = zone },
    };

    [Fact]
    public void An_offer_decided_for_one_campaign_counts_against_the_global_cap_of_the_next_in_priority_order()
    {
        CampaignDefinition[] campaigns = [Campaign("first") with { Priority = 2 }, Campaign("second") with { Priority = 1 }];

        var decisions = TriggerDecisions.Decide(campaigns, "u1", Profile(), OfferLedger.Empty, Now, [new FrequencyCap(1, CapPeriod.Day)], new Random(1));

        Assert.Equal([("first", "sent"), ("second", "capped")], decisions.Select(d => (d.CampaignId, d.Code)));
        Assert.StartsWith("global cap 1/day reached: 1 sent since 2027-03-10 00:00", decisions[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_audience_consent_and_the_offers_in_the_ledger_decide_with_their_reasons()
    {
        var buyers = Campaign("buyers") with { Audience = "orders >= 1" };
        var capped = Campaign("capped") with { Caps = [new FrequencyCap(1, CapPeriod.Week)] };
        var ledger = OfferLedger.Empty.Record("earlier", [new CampaignDecision("capped", "u1", Now.AddDays(-1), DecisionOutcome.Sent, "")], []);

        Assert.Equal("not_in_audience", TriggerDecisions.Decide([buyers], "u1", Profile(), ledger, Now, [], new Random(1)).Single().Code);
        Assert.Equal("sent", TriggerDecisions.Decide([buyers], "u1", Profile(orders: 2), ledger, Now, [], new Random(1)).Single().Code);
        Assert.Equal("no_consent", TriggerDecisions.Decide([buyers], "u1", Profile(false, orders: 2), ledger, Now, [], new Random(1)).Single().Code);
        var week = TriggerDecisions.Decide([capped], "u1", Profile(zone: "Europe/London"), ledger, Now, [], new Random(1)).Single();
        Assert.Equal("capped", week.Code);
        Assert.EndsWith("since 2027-03-08 00:00 Europe/London", week.Reason, StringComparison.Ordinal);
        Assert.True(ledger.Decided("earlier"));
        Assert.Equal(OfferIds.For("c", "u", "t"), OfferIds.For("c", "u", "t"));
        Assert.NotEqual(OfferIds.For("c", "u", "t"), OfferIds.For("c", "u", "t2"));
    }
}
