namespace DmpActors.Domain.Profiles.Value;

/// <summary>Where a user is in their life with the business.</summary>
public enum Lifecycle
{
    /// <summary>First seen less than <see cref="ProfileRules.NewFor"/> ago.</summary>
    New,

    /// <summary>Seen within <see cref="ProfileRules.AtRiskAfter"/>.</summary>
    Active,

    /// <summary>Not seen for <see cref="ProfileRules.AtRiskAfter"/> or longer.</summary>
    AtRisk,

    /// <summary>Not seen for <see cref="ProfileRules.ChurnedAfter"/> or longer.</summary>
    Churned,
}

/// <summary>RFM inputs and order value at a query time.</summary>
/// <param name="Recency">Time since the latest purchase (event time); null without purchases.</param>
/// <param name="Frequency">Orders in the user's lifetime.</param>
/// <param name="Monetary">Lifetime revenue.</param>
public sealed record ProfileValue(TimeSpan? Recency, int Frequency, decimal Monetary, int Orders, decimal? AverageOrderValue, DateTimeOffset? LastPurchaseAt)
{
    /// <summary>The value facts of a profile at <paramref name="now"/>; pure.</summary>
    public static ProfileValue Of(UserProfile profile, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var last = profile.LastPurchase?.At;
        return new ProfileValue(
            last is { } at ? now - at : null,
            profile.Orders,
            profile.TotalRevenue,
            profile.Orders,
            profile.Orders > 0 ? decimal.Round(profile.TotalRevenue / profile.Orders, 2) : null,
            last);
    }
}

public static class Lifecycles
{
    /// <summary>The lifecycle stage at <paramref name="now"/> by event-time recency: churned, then at risk, by time
    /// since last seen; otherwise new when first seen recently, else active. A profile with no events is new.</summary>
    public static Lifecycle Of(UserProfile profile, DateTimeOffset now, ProfileRules rules)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rules);
        if (profile.LastSeen is not { } last || profile.FirstSeen is not { } first) return Lifecycle.New;
        var idle = now - last;
        if (idle >= rules.ChurnedAfter) return Lifecycle.Churned;
        if (idle >= rules.AtRiskAfter) return Lifecycle.AtRisk;
        return now - first < rules.NewFor ? Lifecycle.New : Lifecycle.Active;
    }

    public static string ToWire(Lifecycle stage) => stage switch
    {
        Lifecycle.New => "new",
        Lifecycle.Active => "active",
        Lifecycle.AtRisk => "at_risk",
        _ => "churned",
    };
}
