using System.IO.Hashing;
using System.Text;

namespace DmpActors.Domain.Campaigns;

/// <summary>
/// A user's stable bucket per campaign: XXH64 of campaign and user id, in [0, 10000). The same user is in or out of a
/// campaign's holdout on every node, after every restart, whatever the order of events.
/// </summary>
public static class Holdout
{
    public const int Buckets = 10_000;

    public static int Bucket(string campaignId, string userId, string salt = "holdout")
    {
        var bytes = Encoding.UTF8.GetBytes($"{salt}\u001f{campaignId}\u001f{userId}");
        return (int)(XxHash64.HashToUInt64(bytes) % Buckets);
    }

    /// <summary>A fraction in [0, 1) from the same hash, for a stable fixed-split choice.</summary>
    public static double Fraction(string campaignId, string userId, string salt) => Bucket(campaignId, userId, salt) / (double)Buckets;

    public static bool IsHeldOut(string campaignId, string userId, double holdoutPercent) =>
        Bucket(campaignId, userId) < holdoutPercent * (Buckets / 100.0);
}
