namespace DmpActors.Domain.Campaigns;

/// <summary>An offer a user received: what the per-campaign and global caps count.</summary>
public sealed record SentOffer(string CampaignId, DateTimeOffset SentAt);

/// <summary>A cap that is reached, and which: a campaign's own or the global one across campaigns.</summary>
public sealed record CapReached(FrequencyCap Cap, bool Global, int Sent, DateTimeOffset Since)
{
    public string Describe(TimeZoneInfo zone) =>
        $"{(Global ? "global" : "campaign")} cap {Cap} reached: {Sent} sent since {TimeZoneInfo.ConvertTime(Since, zone):yyyy-MM-dd HH:mm} {zone.Id}";
}

public static class FrequencyCaps
{
    /// <summary>How long a user's offer history must reach back: a local week, with a day's slack for zone offsets.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(8);

    /// <summary>The first cap that one more offer of <paramref name="campaignId"/> would exceed, or null.</summary>
    public static CapReached? Check(string campaignId, IReadOnlyList<FrequencyCap> campaignCaps, IReadOnlyList<FrequencyCap> globalCaps,
        IReadOnlyList<SentOffer> history, DateTimeOffset now, TimeZoneInfo zone) =>
        First(campaignCaps, false, history.Where(o => o.CampaignId == campaignId).ToList(), now, zone)
        ?? First(globalCaps, true, history, now, zone);

    private static CapReached? First(IReadOnlyList<FrequencyCap> caps, bool global, IReadOnlyList<SentOffer> offers,
        DateTimeOffset now, TimeZoneInfo zone)
    {
        foreach (var cap in caps)
        {
            var since = LocalPeriods.PeriodStart(now, zone, cap.Per);
            var sent = offers.Count(o => o.SentAt >= since && o.SentAt <= now);
            if (sent >= cap.Count) return new CapReached(cap, global, sent, since);
        }
        return null;
    }

    /// <summary>The history with one more offer, and without what is older than <see cref="Horizon"/>.</summary>
    public static IReadOnlyList<SentOffer> Record(IReadOnlyList<SentOffer> history, SentOffer offer) =>
        [.. history.Where(o => o.SentAt > offer.SentAt - Horizon), offer];
}
