using DmpActors.Domain.Campaigns;
using static DmpActors.Domain.Tests.Campaigns.CampaignFixtures;

namespace DmpActors.Domain.Tests.Campaigns;

public sealed class CampaignValidationTests
{
    [Fact]
    public void A_complete_definition_is_valid()
    {
        var c = Campaign() with
        {
            Audience = "window.purchases.30d >= 1", HoldoutPercent = 10, Caps = [new FrequencyCap(1, CapPeriod.Day)],
            QuietHours = new QuietHours(new TimeOnly(21, 0), new TimeOnly(8, 0), QuietHoursMode.Defer), Budget = 1000,
        };
        Assert.Empty(CampaignValidation.Validate(c));
    }

    [Fact]
    public void Every_error_names_its_field()
    {
        var now = DateTimeOffset.UnixEpoch;
        var c = Campaign() with
        {
            Id = "bad id!", Name = "", Trigger = new CampaignTrigger(TriggerKind.Event, ""), Audience = "window.purchases.30d =",
            Variants = [new OfferVariant("a", 1, Payload("x")), new OfferVariant("a", -1, default)],
            HoldoutPercent = 100, Caps = [new FrequencyCap(0, CapPeriod.Week)],
            QuietHours = new QuietHours(new TimeOnly(8, 0), new TimeOnly(8, 0), QuietHoursMode.Drop),
            StartsAt = now, EndsAt = now, Budget = -1,
        };
        var fields = CampaignValidation.Validate(c).Select(e => e.Field).ToHashSet();
        Assert.Equal(new HashSet<string>
        {
            "id", "name", "trigger.target", "audience", "variants[1].id", "variants[1].weight", "variants[1].payload",
            "holdout_percent", "caps[0].count", "quiet_hours", "ends_at", "budget",
        }, fields);
    }

    [Fact]
    public void A_fixed_split_needs_a_positive_weight()
    {
        var c = Campaign() with { Variants = [new OfferVariant("a", 0, Payload("x"))] };
        Assert.Contains(CampaignValidation.Validate(c), e => e.Field == "variants");
        Assert.Empty(CampaignValidation.Validate(c with { Allocation = AllocationMode.Thompson }));
    }
}
