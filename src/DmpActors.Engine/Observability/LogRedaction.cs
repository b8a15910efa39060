using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DmpActors.Engine.Observability;

/// <summary>
/// What logs and error messages may say about a user: a stable reference instead of the id, which a
/// producer may have made an email address. Used on error paths only, never per event.
/// </summary>
public static partial class LogRedaction
{
    /// <summary>"user#" and the first 12 hex digits of the id's SHA-256: the same id always gives the same reference.</summary>
    public static string UserRef(string userId) =>
        "user#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)), 0, 6);

    /// <summary>
    /// The text with every user entity's actor path (".../sharding/user/{shard}/{user id}", the user id URL-escaped)
    /// ending in the user's reference instead: Akka names its log sources, and words dead letters, by actor path.
    /// </summary>
    public static string RedactActorPaths(string text) =>
        text.Contains("/sharding/user/", StringComparison.Ordinal)
            ? UserEntityPath().Replace(text, m => m.Groups["prefix"].Value + UserRef(Unescape(m.Groups["id"].Value)))
            : text;

    private static string Unescape(string escaped)
    {
        try { return Uri.UnescapeDataString(escaped); }
        catch (UriFormatException) { return escaped; }
    }

    // The id ends where the path does: at '/', '#' (an actor's uid), whitespace or the brackets and quotes around a path.
    [GeneratedRegex(@"(?<prefix>/sharding/user/[^/\s]+/)(?<id>[^/#\s\]\[""'()]+)")]
    private static partial Regex UserEntityPath();
}
