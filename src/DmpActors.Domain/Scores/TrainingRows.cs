using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Scores;

/// <summary>How far ahead each label looks from the feature time t.</summary>
public sealed record LabelHorizons
{
    public static LabelHorizons Default { get; } = new();

    /// <summary>Propensity: a purchase in (t, t + this].</summary>
    public TimeSpan Purchase { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Churn: no visit (no event but consent and identity bookkeeping) in (t, t + this].</summary>
    public TimeSpan Churn { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Value: purchase revenue in (t, t + this]; the CLV models estimate it.</summary>
    public TimeSpan Value { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The longest horizon: a row at t is complete once the history reaches t + this.</summary>
    public TimeSpan Longest => new[] { Purchase, Churn, Value }.Max();
}

/// <summary>What happened after t: the targets the models learn.</summary>
public sealed record TrainingLabels(bool Purchased, bool Churned, float Revenue);

/// <summary>One user's features as of t and the labels from after t.</summary>
public sealed record TrainingRow(FeatureSample Features, TrainingLabels Labels);

/// <summary>
/// Point-in-time correct training rows: the features of a row at t come from a profile folded from the events with
/// event time at or before t only, and its labels from events in (t, t + horizon] only, so no row can see its own
/// future in its features nor its past in its labels.
/// </summary>
public static class TrainingRows
{
    /// <summary>The row of one user at <paramref name="t"/> from the user's events in arrival order, or null when the
    /// user had no event at or before t (nobody to score yet).</summary>
    public static TrainingRow? At(string userId, IEnumerable<UserEvent> history, DateTimeOffset t, ProfileRules rules, LabelHorizons horizons)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(horizons);
        var profile = UserProfile.Empty(userId);
        var purchased = false;
        var visited = false;
        var revenue = 0m;
        var seen = false;
        foreach (var e in history)
        {
            if (e.Timestamp <= t)
            {
                profile = ProfileReducer.Apply(profile, e, null, rules).Profile;
                seen = true;
                continue;
            }

            var after = e.Timestamp - t;
            if (e.Type == EventType.Purchase && after <= horizons.Purchase) purchased = true;
            if (ProfileFeatures.IsVisit(e.Type) && after <= horizons.Churn) visited = true;
            // The same revenue the profile counts: the stated total, else the sum of the lines.
            if (e.Type == EventType.Purchase && after <= horizons.Value) revenue += e.Revenue ?? Saturating.SumOf(e.Items);
        }

        if (!seen) return null;
        return new TrainingRow(ProfileFeatures.Sample(profile, t, rules), new TrainingLabels(purchased, !visited, (float)revenue));
    }

    /// <summary>Rows at <paramref name="t"/> for every user with an event at or before t.</summary>
    public static IReadOnlyList<TrainingRow> ForPopulation(IEnumerable<(string UserId, IReadOnlyList<UserEvent> Events)> users, DateTimeOffset t,
        ProfileRules rules, LabelHorizons horizons)
    {
        ArgumentNullException.ThrowIfNull(users);
        var rows = new List<TrainingRow>();
        foreach (var (id, events) in users)
        {
            if (At(id, events, t, rules, horizons) is { } row) rows.Add(row);
        }

        return rows;
    }
}
