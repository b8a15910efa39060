using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Value;
using DmpActors.Domain.Profiles.Windows;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Profiles;

public class PrivacyAndValueTests
{
    private static readonly ProfileRules Rules = ProfileRules.Default with { PiiSalt = "pepper" };

    private static UserProfile Run(ProfileRules rules, params UserEvent[] events) =>
        events.Aggregate(UserProfile.Empty("u1"), (p, e) => ProfileReducer.Apply(p, e, null, rules).Profile);

    [Fact]
    public void Email_and_phone_traits_are_stored_as_salted_sha256_and_other_traits_as_given()
    {
        var p = Run(Rules, Identify("e1", 0, ("Email", " Ann@Example.com "), ("phone", "+441234"), ("city", "Leeds")));

        Assert.Equal(PiiHash.Of("ann@example.com", "pepper"), p.Traits["Email"]);
        Assert.StartsWith(PiiHash.Prefix, p.Traits["phone"]);
        Assert.Equal("Leeds", p.Traits["city"]);
        Assert.DoesNotContain(p.Traits.Values, v => v.Contains("ann@", StringComparison.OrdinalIgnoreCase) || v.Contains("441234", StringComparison.Ordinal));
        Assert.NotEqual(PiiHash.Of("ann@example.com", "salt"), PiiHash.Of("ann@example.com", "pepper"));
    }

    [Fact]
    public void Configured_trait_names_are_hashed_and_hashing_can_be_turned_off()
    {
        var custom = Run(Rules with { PiiTraits = ["ssn"] }, Identify("e1", 0, ("ssn", "123"), ("email", "a@b.c")));
        var plain = Run(Rules with { HashPii = false }, Identify("e1", 0, ("email", "a@b.c")));

        Assert.StartsWith(PiiHash.Prefix, custom.Traits["ssn"]);
        Assert.Equal("a@b.c", custom.Traits["email"]);
        Assert.Equal("a@b.c", plain.Traits["email"]);
    }

    [Fact]
    public void Consent_history_keeps_every_decision_in_event_time_order_and_the_latest_state_per_purpose()
    {
        var p = Run(Rules, Consent("e2", 20, ("analytics", false)), Consent("e1", 10, ("analytics", true), ("marketing", true)));

        Assert.Equal(
            [("analytics", true, T0.AddMinutes(10)), ("marketing", true, T0.AddMinutes(10)), ("analytics", false, T0.AddMinutes(20))],
            p.ConsentHistory.Decisions.Select(d => (d.Purpose, d.Granted, d.At)));
        Assert.False(p.HasConsent("analytics"));
        Assert.True(p.HasConsent("marketing"));
    }

    [Fact]
    public void Consent_history_is_bounded_to_the_latest_decisions_and_merges_as_a_union()
    {
        var history = Enumerable.Range(0, 50).Aggregate(ConsentHistory.Empty,
            (h, i) => h.Add(new Dictionary<string, bool> { ["analytics"] = i % 2 == 0 }, T0.AddMinutes(i)));
        var other = ConsentHistory.Empty.Add(new Dictionary<string, bool> { ["marketing"] = true }, T0.AddMinutes(100));

        Assert.Equal(ConsentHistory.Capacity, history.Decisions.Count);
        Assert.Equal(T0.AddMinutes(18), history.Decisions[0].At);
        Assert.Equal(history.Merge(other), other.Merge(history));
        Assert.Equal(history.Merge(other), history.Merge(other).Merge(other));
    }

    [Fact]
    public void Denied_analytics_stops_the_windows_but_not_the_lifetime_counters()
    {
        var p = Run(Rules, PageView("e1", 0), Consent("e2", 1, ("analytics", false)), PageView("e3", 2), Consent("e4", 3, ("analytics", true)), PageView("e5", 4));

        var day = p.Windows.ValuesFor(TimeSpan.FromDays(1), T0.AddMinutes(4));
        Assert.Equal(2, day.CountOf(EventType.PageView));
        Assert.Equal(1, day.CountOf(EventType.Consent));
        Assert.Equal(3, p.CountOf(EventType.PageView));
    }

    [Fact]
    public void Denied_personalization_stops_affinities()
    {
        var p = Run(Rules, Consent("e1", 0, ("personalization", false)), ProductView("e2", "sku-1", 1));

        Assert.Equal(0, p.ItemAffinity.Count);
        Assert.Equal(1, p.Windows.ValuesFor(TimeSpan.FromHours(1), T0.AddMinutes(1)).ProductViews);
    }

    [Fact]
    public void Value_gives_recency_frequency_monetary_and_average_order_value()
    {
        var p = Run(Rules, Purchase("e1", "o1", 10m, 0), Purchase("e2", "o2", 25m, 60));

        var v = ProfileValue.Of(p, T0.AddDays(2));
        Assert.Equal(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(60), v.Recency);
        Assert.Equal((2, 35m, 17.5m), (v.Frequency, v.Monetary, v.AverageOrderValue!.Value));
        Assert.Null(ProfileValue.Of(UserProfile.Empty("u2"), T0).Recency);
    }

    [Theory]
    [InlineData(0, 1, Lifecycle.New)]
    [InlineData(-10, 1, Lifecycle.Active)]
    [InlineData(-10, 30, Lifecycle.AtRisk)]
    [InlineData(-10, 90, Lifecycle.Churned)]
    public void Lifecycle_follows_the_recency_rules(int firstSeenDays, int idleDays, Lifecycle expected)
    {
        var p = Run(Rules, PageView("e1", firstSeenDays * 1440), PageView("e2", 0));

        Assert.Equal(expected, Lifecycles.Of(p, T0.AddDays(idleDays), Rules));
    }

    [Fact]
    public void Rules_validation_names_each_bad_setting()
    {
        var bad = ProfileRules.Default with
        {
            AllowedLateness = TimeSpan.FromDays(2), MaxAffinities = 0, DistinctItemsExactBound = 0, ChurnedAfter = TimeSpan.FromDays(1), PiiTraits = [""],
        };

        Assert.Equal(["AllowedLateness", "MaxAffinities", "DistinctItemsExactBound", "ChurnedAfter", "PiiTraits"], bad.Validate().Select(e => e.Key));
        Assert.Empty(ProfileRules.Default.Validate());
    }

    [Fact]
    public void Standard_windows_are_one_hour_one_day_seven_and_thirty_days()
    {
        Assert.Equal(["1h", "24h", "7d", "30d"], WindowSpans.Standard.Select(s => s.Name));
    }
}
