using System.Security.Cryptography;
using System.Text;

namespace DmpActors.Engine.Observability;

/// <summary>
/// What logs and error messages may say about a user: a stable reference instead of the id, which a
/// producer may have made an email address. Used on error paths only, never per event.
/// </summary>
public static class LogRedaction
{
    /// <summary>"user#" and the first 12 hex digits of the id's SHA-256: the same id always gives the same reference.</summary>
    public static string UserRef(string userId) =>
        "user#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)), 0, 6);
}
