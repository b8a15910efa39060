using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Scores;

/// <summary>
/// Labels for a live sample from a later sample of the same user, so the coordinator can learn from what entities
/// report without reading their event history. The later sample's recencies give the times of the user's latest
/// visit and purchase; its counts give how many orders and how much revenue came after the earlier sample. A label
/// is known only when the later sample decides it (otherwise null: the row waits for a later sample or is left out):
/// <list type="bullet">
/// <item>purchase: no new order and the later sample at or past the horizon → false; the latest order inside the
/// horizon → true; exactly one new order, after the horizon → false.</item>
/// <item>churn: latest visit inside the horizon → false; no visit since the earlier sample and the later sample at or
/// past the horizon → true.</item>
/// <item>revenue (only from a later sample at or past the horizon): no new order → 0; the latest order inside the
/// horizon → the revenue of all new orders.</item>
/// </list>
/// Every rule reads only what happened after the earlier sample, so the labels are point-in-time correct like
/// <see cref="TrainingRows"/>'s.
/// </summary>
public static class SampleLabels
{
    private const int Recency = 0, PurchaseRecency = 1, Frequency = 3, Monetary = 4;

    public static TrainingLabels? Join(FeatureSample earlier, FeatureSample later, LabelHorizons horizons)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        ArgumentNullException.ThrowIfNull(horizons);
        if (later.UserId != earlier.UserId || later.AsOf <= earlier.AsOf) return null;
        var t = earlier.AsOf;
        var span = later.AsOf - t;
        var newOrders = later.Numeric[Frequency] - earlier.Numeric[Frequency];
        var lastOrder = newOrders > 0 ? later.AsOf - TimeSpan.FromDays(later.Numeric[PurchaseRecency]) : (DateTimeOffset?)null;
        var lastVisit = later.AsOf - TimeSpan.FromDays(later.Numeric[Recency]);

        bool? purchased = lastOrder is { } o
            ? o - t <= horizons.Purchase ? true : newOrders == 1 ? false : null
            : span >= horizons.Purchase ? false : null;
        bool? churned = lastVisit > t
            ? lastVisit - t <= horizons.Churn ? false : (bool?)null
            : span >= horizons.Churn ? true : null;
        float? revenue = span < horizons.Value ? null
            : lastOrder is not { } last ? 0
            : last - t <= horizons.Value ? later.Numeric[Monetary] - earlier.Numeric[Monetary] : null;

        return purchased is { } p && churned is { } c && revenue is { } r ? new TrainingLabels(p, c, r) : null;
    }

    /// <summary>Whether an applied event should produce a sample: the first event of each event-time day.</summary>
    public static bool SampleDue(UserProfile before, UserProfile after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return after.LastSeen is { } now && (before.LastSeen is not { } previous || previous.UtcDateTime.Date < now.UtcDateTime.Date);
    }
}
