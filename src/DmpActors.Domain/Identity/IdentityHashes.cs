using System.Security.Cryptography;
using System.Text;

namespace DmpActors.Domain.Identity;

/// <summary>Hashes of ids: quarantine remembers erased ids by SHA-256 so it holds no raw ids; merges get stable ids.</summary>
public static class IdentityHashes
{
    public static string QuarantineKey(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }

    /// <summary>A stable id for the merge of two ids triggered by one event: a replay of the event names the same merge.</summary>
    public static string MergeId(string survivorId, string absorbedId, string triggerEventId) =>
        QuarantineKey(survivorId + "\u001f" + absorbedId + "\u001f" + triggerEventId)[..32];
}
