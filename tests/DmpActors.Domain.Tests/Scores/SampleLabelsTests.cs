using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Scores;

public class SampleLabelsTests
{
    private static readonly ProfileRules Rules = ProfileRules.Default;
    private static readonly LabelHorizons Horizons = LabelHorizons.Default;

    private static readonly UserEvent[] History =
    [
        PageView("a", 0),
        Purchase("b", "o1", 10m, 60 * 24 * 2),
        PageView("c", 60 * 24 * 5),
        Purchase("d", "o2", 25m, 60 * 24 * 9),
        PageView("e", 60 * 24 * 20),
        Purchase("f", "o3", 40m, 60 * 24 * 45),
    ];

    private static FeatureSample SampleAt(double day)
    {
        var t = T0.AddDays(day);
        var profile = History.Where(e => e.Timestamp <= t).Aggregate(UserProfile.Empty("u1"), (p, e) => ProfileReducer.Apply(p, e, null, Rules).Profile);
        return ProfileFeatures.Sample(profile, t, Rules);
    }

    [Theory]
    [InlineData(3, 12)]
    [InlineData(3, 40)]
    [InlineData(6, 40)]
    [InlineData(10, 50)]
    [InlineData(21, 60)]
    [InlineData(1, 3)]
    public void Joined_labels_agree_with_labels_from_the_events_whenever_they_are_known(double earlier, double later)
    {
        var joined = SampleLabels.Join(SampleAt(earlier), SampleAt(later), Horizons);
        var truth = TrainingRows.At("u1", History, T0.AddDays(earlier), Rules, Horizons)!.Labels;

        if (joined is null) return; // undecided from these two samples; the next sample may decide
        Assert.Equal(truth.Purchased, joined.Purchased);
        Assert.Equal(truth.Churned, joined.Churned);
        Assert.Equal(truth.Revenue, joined.Revenue, 2);
    }

    [Fact]
    public void A_later_sample_past_every_horizon_decides_every_label()
    {
        Assert.NotNull(SampleLabels.Join(SampleAt(3), SampleAt(40), Horizons));
        Assert.NotNull(SampleLabels.Join(SampleAt(21), SampleAt(60), Horizons));
    }

    [Fact]
    public void A_sample_too_soon_after_decides_nothing()
    {
        Assert.Null(SampleLabels.Join(SampleAt(12), SampleAt(14), Horizons));
        Assert.Null(SampleLabels.Join(SampleAt(12), SampleAt(12), Horizons));
        Assert.Null(SampleLabels.Join(SampleAt(12), SampleAt(40) with { UserId = "u2" }, Horizons));
    }

    [Fact]
    public void A_sample_is_due_on_the_first_event_of_each_day()
    {
        var first = ProfileReducer.Apply(UserProfile.Empty("u1"), PageView("a", 0), null, Rules).Profile;
        var sameDay = ProfileReducer.Apply(first, PageView("b", 60), null, Rules).Profile;
        var nextDay = ProfileReducer.Apply(sameDay, PageView("c", 60 * 24), null, Rules).Profile;

        Assert.True(SampleLabels.SampleDue(UserProfile.Empty("u1"), first));
        Assert.False(SampleLabels.SampleDue(first, sameDay));
        Assert.True(SampleLabels.SampleDue(sameDay, nextDay));
    }
}
