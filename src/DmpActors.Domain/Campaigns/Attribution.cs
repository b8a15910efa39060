namespace DmpActors.Domain.Campaigns;

/// <summary>A click on an offer (campaign, variant) by a user.</summary>
public sealed record OfferClick(string UserId, string CampaignId, string VariantId, DateTimeOffset At);

/// <summary>A purchase by a user, with its revenue.</summary>
public sealed record Purchase(string UserId, DateTimeOffset At, decimal Revenue);

/// <summary>A purchase credited to the click that led to it.</summary>
public sealed record Conversion(OfferClick Click, Purchase Purchase);

public static class Attribution
{
    /// <summary>How long after a click a purchase still counts as its conversion, unless a campaign says otherwise.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// Last-click attribution: each purchase goes to the user's latest click at or before it and no older than
    /// <paramref name="window"/>; a purchase with no such click is no campaign's conversion.
    /// </summary>
    public static IReadOnlyList<Conversion> Attribute(IEnumerable<OfferClick> clicks, IEnumerable<Purchase> purchases, TimeSpan window)
    {
        var byUser = clicks.GroupBy(c => c.UserId).ToDictionary(g => g.Key, g => g.OrderBy(c => c.At).ToList());
        var conversions = new List<Conversion>();
        foreach (var purchase in purchases.OrderBy(p => p.At))
        {
            if (!byUser.TryGetValue(purchase.UserId, out var userClicks)) continue;
            var click = userClicks.LastOrDefault(c => c.At <= purchase.At && purchase.At - c.At <= window);
            if (click is not null) conversions.Add(new Conversion(click, purchase));
        }
        return conversions;
    }
}
