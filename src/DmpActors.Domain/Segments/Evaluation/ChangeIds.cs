using System.Security.Cryptography;
using System.Text;

namespace DmpActors.Domain.Segments.Evaluation;

/// <summary>
/// Change ids: the lowercase hex SHA-256 of user id, segment id, version and cause, separated by a unit separator.
/// Nothing random and no clock: deciding the same change again (a Kafka replay, a restart from an older checkpoint)
/// gives the same id, which is how consumers recognise a change published twice.
/// </summary>
public static class ChangeIds
{
    public static string Of(string userId, string segmentId, int version, SegmentCause cause)
    {
        var text = string.Join('\u001f', userId, segmentId, version.ToString(System.Globalization.CultureInfo.InvariantCulture), cause.ToString());
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash);
    }
}
