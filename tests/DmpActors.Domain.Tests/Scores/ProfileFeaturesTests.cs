using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Scores;

public class ProfileFeaturesTests
{
    private static readonly ProfileRules Rules = ProfileRules.Default;

    private static UserProfile Fold(params UserEvent[] events) =>
        events.Aggregate(UserProfile.Empty("u1"), (p, e) => ProfileReducer.Apply(p, e, null, Rules).Profile);

    private static float Feature(FeatureSample s, string name) => s.Numeric[ProfileFeatures.NumericNames.ToList().IndexOf(name)];

    [Fact]
    public void An_empty_profile_has_capped_recencies_and_zero_counts()
    {
        var s = ProfileFeatures.Sample(UserProfile.Empty("u1"), T0, Rules);

        Assert.Equal(ProfileFeatures.NumericNames.Count, s.Numeric.Length);
        Assert.Equal(ProfileFeatures.MaxDays, Feature(s, "recency_days"));
        Assert.Equal(ProfileFeatures.MaxDays, Feature(s, "purchase_recency_days"));
        Assert.Equal(0, Feature(s, "frequency"));
        Assert.Empty(s.Categories);
    }

    [Fact]
    public void Recency_frequency_monetary_and_windows_follow_the_events()
    {
        var profile = Fold(ProductView("e1", "i1", 0), Purchase("e2", "o1", 30m, 10), Purchase("e3", "o2", 10m, 60 * 24 * 3));
        var asOf = T0.AddDays(5);

        var s = ProfileFeatures.Sample(profile, asOf, Rules);

        Assert.Equal(2, Feature(s, "recency_days"), 3);
        Assert.Equal(2, Feature(s, "purchase_recency_days"), 3);
        Assert.Equal(5, Feature(s, "tenure_days"), 3);
        Assert.Equal(2, Feature(s, "frequency"));
        Assert.Equal(40, Feature(s, "monetary"));
        Assert.Equal(20, Feature(s, "average_order_value"));
        Assert.Equal(3, Feature(s, "lifetime_events"));
        Assert.Equal(2, Feature(s, "purchases_7d"));
        Assert.Equal(0, Feature(s, "purchases_24h"));
        Assert.Equal(40, Feature(s, "revenue_30d"));
        Assert.Equal(1, Feature(s, "product_views_30d"));
    }

    [Fact]
    public void Category_shares_sum_to_one_strongest_first()
    {
        var profile = Fold(ProductView("e1", "i1"), ProductView("e2", "i2", 1) with { Category = "bags" }, ProductView("e3", "i3", 2));

        var s = ProfileFeatures.Sample(profile, T0.AddMinutes(3), Rules);

        Assert.Equal("shoes", s.Categories[0].Category);
        Assert.Equal(1f, s.Categories.Sum(c => c.Share), 4);
        Assert.True(s.Categories[0].Share > s.Categories[1].Share);
    }

    [Fact]
    public void A_layout_puts_vocabulary_shares_in_their_slots_and_the_rest_in_other()
    {
        var sample = new FeatureSample("u1", T0, new float[ProfileFeatures.NumericNames.Count],
            [new CategoryShare("shoes", 0.5f), new CategoryShare("bags", 0.3f), new CategoryShare("hats", 0.2f)]);
        var layout = new FeatureLayout(["bags", "shoes"]);

        var v = layout.Vectorize(sample);

        var n = ProfileFeatures.NumericNames.Count;
        Assert.Equal(layout.Count, v.Length);
        Assert.Equal(layout.Names.Count, v.Length);
        Assert.Equal(0.3f, v[n]);
        Assert.Equal(0.5f, v[n + 1]);
        Assert.Equal(0.2f, v[n + 2]);
    }

    [Fact]
    public void A_layout_from_samples_keeps_the_most_common_categories()
    {
        FeatureSample S(params string[] cats) =>
            new("u", T0, [], cats.Select(c => new CategoryShare(c, 1f / cats.Length)).ToArray());

        var layout = FeatureLayout.FromSamples([S("a", "b"), S("a", "c"), S("a", "b"), S("d")], max: 2);

        Assert.Equal(["a", "b"], layout.Categories);
    }

    [Fact]
    public void Consent_and_identity_bookkeeping_are_not_visits()
    {
        Assert.False(ProfileFeatures.IsVisit(EventType.Consent));
        Assert.False(ProfileFeatures.IsVisit(EventType.Identify));
        Assert.True(ProfileFeatures.IsVisit(EventType.PageView));
        Assert.True(ProfileFeatures.IsVisit(EventType.Purchase));
    }
}
