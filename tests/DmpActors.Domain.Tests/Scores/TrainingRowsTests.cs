using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Scores;

public class TrainingRowsTests
{
    private static readonly ProfileRules Rules = ProfileRules.Default;
    private static readonly LabelHorizons Horizons = LabelHorizons.Default;
    private static readonly DateTimeOffset T = T0.AddDays(10);

    private static UserEvent At(UserEvent e, TimeSpan offset) => e with { Timestamp = T + offset };

    private static readonly UserEvent[] Past =
    [
        At(ProductView("p1", "i1"), TimeSpan.FromDays(-9)),
        At(Purchase("p2", "o1", 20m), TimeSpan.FromDays(-2)),
        At(PageView("p3"), TimeSpan.Zero),
    ];

    [Fact]
    public void Features_come_from_events_at_or_before_t_and_labels_from_after()
    {
        UserEvent[] history = [.. Past, At(Purchase("f1", "o2", 50m), TimeSpan.FromDays(3))];

        var row = TrainingRows.At("u1", history, T, Rules, Horizons)!;

        Assert.Equal(1, row.Features.Numeric[3]); // frequency: only the purchase before t
        Assert.Equal(20, row.Features.Numeric[4]);
        Assert.True(row.Labels.Purchased);
        Assert.False(row.Labels.Churned);
        Assert.Equal(50, row.Labels.Revenue);
    }

    [Fact]
    public void The_future_cannot_change_the_features_of_a_row()
    {
        // Given the same past and two entirely different futures
        UserEvent[] quiet = [.. Past];
        UserEvent[] busy = [.. Past, .. Enumerable.Range(0, 50).Select(i => At(Purchase($"f{i}", $"o{i}", 100m), TimeSpan.FromHours(i + 1)))];

        var a = TrainingRows.At("u1", quiet, T, Rules, Horizons)!;
        var b = TrainingRows.At("u1", busy, T, Rules, Horizons)!;

        // then features are identical, labels differ
        Assert.Equal(a.Features.Numeric, b.Features.Numeric);
        Assert.Equal(a.Features.Categories, b.Features.Categories);
        Assert.NotEqual(a.Labels, b.Labels);
    }

    [Fact]
    public void The_past_cannot_change_the_labels_of_a_row()
    {
        UserEvent[] future = [At(PageView("f1"), TimeSpan.FromDays(20))];
        UserEvent[] thin = [At(PageView("p0"), TimeSpan.FromDays(-1)), .. future];
        UserEvent[] rich = [.. Past, .. Enumerable.Range(0, 20).Select(i => At(Purchase($"q{i}", $"o{i}", 10m), TimeSpan.FromHours(-i))), .. future];

        var a = TrainingRows.At("u1", thin, T, Rules, Horizons)!;
        var b = TrainingRows.At("u1", rich, T, Rules, Horizons)!;

        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Features.Numeric, b.Features.Numeric);
    }

    [Fact]
    public void Each_label_looks_only_inside_its_horizon()
    {
        // A purchase 8 days after t is outside the 7-day propensity horizon but inside the 30-day value horizon;
        // a visit 31 days after t does not save the user from churn.
        UserEvent[] history = [.. Past, At(Purchase("f1", "o2", 15m), TimeSpan.FromDays(8)), At(PageView("f2"), TimeSpan.FromDays(31))];

        var row = TrainingRows.At("u1", history, T, Rules, Horizons)!;

        Assert.False(row.Labels.Purchased);
        Assert.False(row.Labels.Churned);
        Assert.Equal(15, row.Labels.Revenue);

        var later = TrainingRows.At("u1", [.. Past, At(PageView("f2"), TimeSpan.FromDays(31))], T, Rules, Horizons)!;
        Assert.True(later.Labels.Churned);
        Assert.Equal(0, later.Labels.Revenue);
    }

    [Fact]
    public void An_event_exactly_at_t_is_a_feature_and_one_exactly_at_the_horizon_is_a_label()
    {
        var atT = TrainingRows.At("u1", [At(Purchase("a", "o1", 5m), TimeSpan.Zero)], T, Rules, Horizons)!;
        Assert.Equal(1, atT.Features.Numeric[3]);
        Assert.False(atT.Labels.Purchased);

        var edge = TrainingRows.At("u1", [.. Past, At(Purchase("b", "o9", 5m), Horizons.Purchase)], T, Rules, Horizons)!;
        Assert.True(edge.Labels.Purchased);
    }

    [Fact]
    public void A_late_event_is_judged_by_its_event_time_not_its_arrival()
    {
        // A purchase dated after t that arrives before an event dated before t is still a label, not a feature.
        UserEvent[] history = [At(PageView("p0"), TimeSpan.FromDays(-1)), At(Purchase("f1", "o1", 9m), TimeSpan.FromDays(1)), At(PageView("p1"), TimeSpan.FromHours(-1))];

        var row = TrainingRows.At("u1", history, T, Rules, Horizons)!;

        Assert.Equal(0, row.Features.Numeric[3]);
        Assert.Equal(2, row.Features.Numeric[6]);
        Assert.True(row.Labels.Purchased);
    }

    [Fact]
    public void A_user_first_seen_after_t_has_no_row()
    {
        Assert.Null(TrainingRows.At("u1", [At(PageView("f"), TimeSpan.FromDays(1))], T, Rules, Horizons));

        var rows = TrainingRows.ForPopulation(
            [("u1", Past), ("u2", [At(PageView("g", 0) with { UserId = "u2" }, TimeSpan.FromDays(1))])], T, Rules, Horizons);
        Assert.Equal("u1", Assert.Single(rows).Features.UserId);
    }

    [Fact]
    public void A_purchase_without_a_stated_revenue_labels_the_sum_of_its_lines_as_the_profile_counts_it()
    {
        // Given a later order that states no total, only its lines (as imported histories do)
        var lines = At(Purchase("f1", "o2", 0m), TimeSpan.FromDays(3)) with
        {
            Revenue = null,
            Items = [new LineItem("a", null, 2.5m, 4), new LineItem("b", null, 10m, 1)],
        };

        var row = TrainingRows.At("u1", [.. Past, lines], T, Rules, Horizons)!;

        Assert.Equal(20, row.Labels.Revenue);
    }
}
