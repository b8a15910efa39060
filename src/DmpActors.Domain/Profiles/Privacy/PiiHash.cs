using System.Security.Cryptography;
using System.Text;

namespace DmpActors.Domain.Profiles.Privacy;

/// <summary>Salted SHA-256 of personal data, so profiles can match a user by email or phone without holding it.</summary>
public static class PiiHash
{
    public const string Prefix = "sha256:";

    /// <summary>"sha256:" + lowercase hex of SHA-256(salt ‖ value), the value trimmed and lower-cased first so the
    /// same address typed differently matches. A value that already carries the prefix is kept (re-hashing on
    /// replay or merge must not change it).</summary>
    public static string Of(string value, string salt)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(salt);
        if (value.StartsWith(Prefix, StringComparison.Ordinal)) return value;
        var bytes = Encoding.UTF8.GetBytes(salt + value.Trim().ToLowerInvariant());
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
