using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Scores;

/// <summary>A category's share of a user's category affinity at the sample time (shares of one sample sum to 1).</summary>
public readonly record struct CategoryShare(string Category, float Share);

/// <summary>
/// What the models learn from about one user as of one time: the dense behaviour numbers
/// (<see cref="ProfileFeatures.NumericNames"/>, in that order) and the user's strongest category interests. A
/// <see cref="FeatureLayout"/> turns it into the fixed vector a model reads.
/// </summary>
public sealed record FeatureSample(string UserId, DateTimeOffset AsOf, float[] Numeric, CategoryShare[] Categories);

/// <summary>
/// The feature vector of a profile as of a time. Pure: everything comes from the profile and <c>asOf</c>, and only
/// what happened at or before <c>asOf</c> can be in the profile when the caller folded events up to it.
/// </summary>
public static class ProfileFeatures
{
    /// <summary>Recencies and ages are capped here (days), so a user never seen is "a year ago", not infinity.</summary>
    public const float MaxDays = 365f;

    /// <summary>Categories kept per sample, strongest first.</summary>
    public const int MaxCategories = 8;

    private static readonly TimeSpan[] Windows = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];
    private static readonly string[] WindowNames = ["24h", "7d", "30d"];
    private static readonly string[] WindowMetrics = ["events", "product_views", "add_to_cart", "purchases", "searches", "sessions", "revenue"];

    /// <summary>Names of <see cref="FeatureSample.Numeric"/>, in order.</summary>
    public static IReadOnlyList<string> NumericNames { get; } =
    [
        "recency_days", "purchase_recency_days", "tenure_days", "frequency", "monetary", "average_order_value",
        "lifetime_events", "lifetime_sessions",
        .. WindowNames.SelectMany(w => WindowMetrics.Select(m => $"{m}_{w}")),
    ];

    public static FeatureSample Sample(UserProfile profile, DateTimeOffset asOf, ProfileRules rules)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rules);
        var x = new float[NumericNames.Count];
        x[0] = DaysSince(profile.LastSeen, asOf);
        x[1] = DaysSince(profile.LastPurchase?.At, asOf);
        x[2] = profile.FirstSeen is { } first ? Math.Clamp((float)(asOf - first).TotalDays, 0, MaxDays) : 0;
        x[3] = profile.Orders;
        x[4] = (float)profile.TotalRevenue;
        x[5] = profile.Orders > 0 ? (float)(profile.TotalRevenue / profile.Orders) : 0;
        x[6] = profile.EventsApplied;
        x[7] = profile.Windows.LifetimeSessions;
        var i = 8;
        foreach (var span in Windows)
        {
            var v = profile.Windows.ValuesFor(span, asOf);
            x[i++] = v.EventsByType.Values.Sum();
            x[i++] = v.ProductViews;
            x[i++] = v.AddToCart;
            x[i++] = v.Purchases;
            x[i++] = v.Searches;
            x[i++] = v.Sessions;
            x[i++] = (float)v.Revenue;
        }

        return new FeatureSample(profile.Id, asOf, x, Shares(profile, asOf, rules));
    }

    private static float DaysSince(DateTimeOffset? at, DateTimeOffset asOf) =>
        at is { } t ? Math.Clamp((float)(asOf - t).TotalDays, 0, MaxDays) : MaxDays;

    private static CategoryShare[] Shares(UserProfile profile, DateTimeOffset asOf, ProfileRules rules)
    {
        var top = profile.CategoryAffinity.Top(MaxCategories, asOf, rules);
        var total = top.Sum(a => a.Score);
        return total > 0 ? top.Select(a => new CategoryShare(a.Key, (float)(a.Score / total))).ToArray() : [];
    }

    /// <summary>Whether an event counts as a visit for labels (anything the user did, not consent or identity bookkeeping).</summary>
    public static bool IsVisit(EventType type) => type is not (EventType.Consent or EventType.Identify or EventType.Alias);
}
