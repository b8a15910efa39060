using DmpActors.Domain.Quality;

namespace DmpActors.Domain.Webhooks;

/// <summary>
/// How deliveries to one endpoint are going, over the records its log still holds.
/// </summary>
/// <param name="Delivered">Messages delivered.</param>
/// <param name="Failed">Attempts that did not succeed (retries included), over every message in the log.</param>
/// <param name="Dead">Dead letters: messages whose attempts are spent, waiting for a redelivery.</param>
/// <param name="Pending">Messages queued or being tried.</param>
/// <param name="SuccessRate">Of the <paramref name="Recent"/> newest finished messages, the share delivered; null before any finished.</param>
/// <param name="LatencyMsP50">Median time from the first attempt to the subscriber's answer of the recent delivered messages (retries included).</param>
/// <param name="LatencyMsP95">Their 95th percentile.</param>
/// <param name="Recent">How many finished messages the rate and latencies are taken over.</param>
public sealed record DeliverySummary(int Delivered, int Failed, int Dead, int Pending, double? SuccessRate, double? LatencyMsP50,
    double? LatencyMsP95, int Recent)
{
    /// <summary>Finished messages the rate and the latencies look at, newest first.</summary>
    public const int RecentWindow = 1000;

    /// <param name="newestFirst">The endpoint's delivery log, newest first (as <see cref="WebhookOutbox.Log"/> returns it).</param>
    public static DeliverySummary Of(IReadOnlyList<DeliveryRecord> newestFirst, int window = RecentWindow)
    {
        var delivered = newestFirst.Count(r => r.Status == DeliveryStatus.Delivered);
        var attempts = newestFirst.Sum(r => r.Attempts);
        var recent = newestFirst.Where(r => r.Status != DeliveryStatus.Pending).Take(window).ToList();
        var latencies = recent.Where(r => r.Status == DeliveryStatus.Delivered && r.LatencyMs is not null)
            .Select(r => r.LatencyMs!.Value).Order().ToArray();
        return new DeliverySummary(
            delivered,
            attempts - delivered,
            newestFirst.Count(r => r.Status == DeliveryStatus.Dead),
            newestFirst.Count(r => r.Status == DeliveryStatus.Pending),
            recent.Count == 0 ? null : (double)recent.Count(r => r.Status == DeliveryStatus.Delivered) / recent.Count,
            latencies.Length == 0 ? null : Bootstrap.Percentile(latencies, 0.50),
            latencies.Length == 0 ? null : Bootstrap.Percentile(latencies, 0.95),
            recent.Count);
    }
}
