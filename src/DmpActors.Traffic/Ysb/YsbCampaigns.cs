namespace DmpActors.Traffic.Ysb;

/// <summary>
/// The Yahoo Streaming Benchmark's static join table: <see cref="CampaignCount"/> campaigns with
/// <see cref="AdsPerCampaign"/> ads each, every id a UUID. YSB keeps it in Redis; here it is derived from a seed.
/// </summary>
public sealed class YsbCampaigns
{
    public const int CampaignCount = 100;
    public const int AdsPerCampaign = 10;

    private readonly Dictionary<string, string> _campaignOfAd;

    public YsbCampaigns(int seed)
    {
        var random = new Random(seed);
        Campaigns = Enumerable.Range(0, CampaignCount).Select(_ => Uuid(random)).ToArray();
        Ads = Campaigns.SelectMany(_ => Enumerable.Range(0, AdsPerCampaign).Select(_ => Uuid(random))).ToArray();
        _campaignOfAd = new Dictionary<string, string>(Ads.Count, StringComparer.Ordinal);
        for (var i = 0; i < Ads.Count; i++) _campaignOfAd[Ads[i]] = Campaigns[i / AdsPerCampaign];
    }

    public IReadOnlyList<string> Campaigns { get; }

    /// <summary>All ads, those of campaign c at indices c × 10 … c × 10 + 9.</summary>
    public IReadOnlyList<string> Ads { get; }

    /// <summary>The join: the campaign an ad belongs to, or null for an ad outside the table.</summary>
    public string? CampaignOf(string adId) => _campaignOfAd.GetValueOrDefault(adId);

    internal static string Uuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
