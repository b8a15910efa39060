using System.Text.Json;
using System.Text.Json.Serialization;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Persisted forms of identity data: the identity state kept beside a profile ('I', version, JSON) and the payload
/// of a merge record ('M', version, JSON holding both profiles as they were, in their own persisted formats).
/// Like <see cref="ProfileCodec"/>, a new format gets a new version and old ones stay readable.
/// </summary>
public static class IdentityCodec
{
    private const byte IdentityMagic = (byte)'I';
    private const byte MergeMagic = (byte)'M';
    private const byte CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The profile and identity of one side of a merge.</summary>
    public sealed record Side(UserProfile Profile, IdentityState Identity);

    /// <summary>Both sides before a merge: what unmerge restores and export shows.</summary>
    public sealed record MergeBefore(Side Survivor, Side Absorbed);

    private sealed record IdentityV1(string? MergedInto, MergedId[]? Merged, string[]? UserIds, MergeRefusal[]? Refusals, string[]? Undone = null);

    private sealed record SideV1(byte[] Profile, byte[]? Identity);

    private sealed record MergeBeforeV1(SideV1 Survivor, SideV1 Absorbed);

    /// <summary>Null for the empty identity, which most profiles have: nothing is stored for them.</summary>
    public static byte[]? Encode(IdentityState identity) =>
        identity.MergedInto is null && identity.Merged.Count == 0 && identity.UserIds.Count == 0 && identity.Refusals.Count == 0 && identity.Undone.Count == 0
            ? null
            : Frame(IdentityMagic, JsonSerializer.SerializeToUtf8Bytes(
                new IdentityV1(identity.MergedInto, [.. identity.Merged], [.. identity.UserIds], [.. identity.Refusals],
                    identity.Undone.Count == 0 ? null : [.. identity.Undone]), Json));

    public static IdentityState Decode(byte[]? bytes)
    {
        if (bytes is null) return IdentityState.Empty;
        var v1 = JsonSerializer.Deserialize<IdentityV1>(Body(bytes, IdentityMagic, "identity"), Json) ?? throw new FormatException("empty identity body");
        return new IdentityState { MergedInto = v1.MergedInto, Merged = v1.Merged ?? [], UserIds = v1.UserIds ?? [], Refusals = v1.Refusals ?? [], Undone = v1.Undone ?? [] };
    }

    public static byte[] EncodeMerge(MergeBefore before) =>
        Frame(MergeMagic, JsonSerializer.SerializeToUtf8Bytes(new MergeBeforeV1(ToV1(before.Survivor), ToV1(before.Absorbed)), Json));

    public static MergeBefore DecodeMerge(byte[] bytes)
    {
        var v1 = JsonSerializer.Deserialize<MergeBeforeV1>(Body(bytes, MergeMagic, "merge record"), Json) ?? throw new FormatException("empty merge record body");
        return new MergeBefore(FromV1(v1.Survivor), FromV1(v1.Absorbed));
    }

    private static SideV1 ToV1(Side side) => new(ProfileCodec.Encode(side.Profile), Encode(side.Identity));

    private static Side FromV1(SideV1 side) => new(ProfileCodec.Decode(side.Profile), Decode(side.Identity));

    private static byte[] Frame(byte magic, byte[] body)
    {
        var bytes = new byte[body.Length + 2];
        bytes[0] = magic;
        bytes[1] = CurrentVersion;
        body.CopyTo(bytes, 2);
        return bytes;
    }

    private static ReadOnlySpan<byte> Body(byte[] bytes, byte magic, string what)
    {
        if (bytes.Length < 2 || bytes[0] != magic) throw new FormatException($"not a DmpActors {what} (bad header)");
        if (bytes[1] != CurrentVersion) throw new FormatException($"{what} format version {bytes[1]} is newer than this build understands ({CurrentVersion})");
        return bytes.AsSpan(2);
    }
}
