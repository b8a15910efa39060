using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Engine.Serialization;

/// <summary>
/// The persisted form of a profile: a two-byte header ('P', format version) and a body whose shape is the explicit
/// contract below, independent of the domain types. A new format gets a new version number and the decoder keeps
/// reading every older one (tests hold a v1 and a v2 sample).
/// </summary>
/// <remarks>
/// v1: JSON body (<see cref="ProfileStateV1"/>). v2: a 4-byte little-endian length, the same JSON body, then the
/// binary sections of the windows, affinity and consent modules (<see cref="ProfileSections"/>); the windows are arrays
/// of 64-bit words, far smaller and cheaper than JSON. A v1 profile loads with empty windows, affinities and consent
/// history: they fill from the next events.
/// v3: as v2, but the dedupe window's event ids are not in the JSON body: their 64-bit hashes follow as the dedupe
/// section. v1 and v2 ids are hashed on load, so nothing is forgotten.
/// v4: as v3, plus the segments section (memberships and the outbox of unpublished changes). Older profiles load with
/// no memberships: the next events, or a backfill's re-evaluation, decide them.
/// v5: as v4, plus the timers section (module, key, due time per timer). Older profiles load with no timers: the
/// backfill that follows every start re-evaluates each stored user, which schedules them.
/// </remarks>
public static class ProfileCodec
{
    private const byte Magic = (byte)'P';
    public const byte CurrentVersion = 5;

    /// <summary>Encodes in per-thread buffers (every checkpoint encodes each dirty profile): the result is the only
    /// array it allocates besides the JSON contract's own objects.</summary>
    public static byte[] Encode(UserProfile profile)
    {
        var scratch = t_scratch ??= new EncodeScratch();
        var buffer = scratch.Buffer;
        buffer.ResetWrittenCount();
        var header = buffer.GetSpan(HeaderLength);
        header[0] = Magic;
        header[1] = CurrentVersion;
        buffer.Advance(HeaderLength); // the body length goes in bytes 2..5 once it is known

        scratch.Json.Reset(buffer);
        JsonSerializer.Serialize(scratch.Json, ProfileStateV1.From(profile), CodecJsonContext.Default.ProfileStateV1);
        scratch.Json.Flush();
        var bodyLength = buffer.WrittenCount - HeaderLength;

        scratch.Extensions.SetLength(0);
        ProfileSections.Write(scratch.ExtensionsWriter, profile);
        scratch.ExtensionsWriter.Flush();

        var encoded = new byte[buffer.WrittenCount + scratch.Extensions.Length];
        buffer.WrittenSpan.CopyTo(encoded);
        BinaryPrimitives.WriteInt32LittleEndian(encoded.AsSpan(2), bodyLength);
        scratch.Extensions.GetBuffer().AsSpan(0, (int)scratch.Extensions.Length).CopyTo(encoded.AsSpan(buffer.WrittenCount));
        if (buffer.Capacity > MaxKeptBuffer || scratch.Extensions.Capacity > MaxKeptBuffer) t_scratch = null;
        return encoded;
    }

    private const int HeaderLength = 6;
    private const int MaxKeptBuffer = 1 << 20;

    [ThreadStatic] private static EncodeScratch? t_scratch;

    /// <summary>Reused per thread; buffers that grew past 1 MiB for an unusual profile are not kept.</summary>
    private sealed class EncodeScratch
    {
        public readonly ArrayBufferWriter<byte> Buffer = new(16 * 1024);
        public readonly Utf8JsonWriter Json;
        public readonly MemoryStream Extensions = new(8 * 1024);
        public readonly BinaryWriter ExtensionsWriter;

        public EncodeScratch()
        {
            Json = new Utf8JsonWriter(Buffer);
            ExtensionsWriter = new BinaryWriter(Extensions, Encoding.UTF8, leaveOpen: true);
        }
    }

    public static UserProfile Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2 || bytes[0] != Magic)
            throw new FormatException("not a DmpActors profile (bad header)");
        return bytes[1] switch
        {
            1 => ReadJson(bytes[2..]),
            2 => DecodeBinary(bytes[2..], 2),
            3 => DecodeBinary(bytes[2..], 3),
            4 => DecodeBinary(bytes[2..], 4),
            5 => DecodeBinary(bytes[2..], 5),
            var v => throw new FormatException($"profile format version {v} is newer than this build understands ({CurrentVersion})"),
        };
    }

    private static UserProfile ReadJson(ReadOnlySpan<byte> json) =>
        (JsonSerializer.Deserialize(json, CodecJsonContext.Default.ProfileStateV1) ?? throw new FormatException("empty profile body")).ToProfile();

    private static UserProfile DecodeBinary(ReadOnlySpan<byte> bytes, byte version)
    {
        if (bytes.Length < 4) throw new FormatException("truncated profile (no body length)");
        var length = BitConverter.ToInt32(bytes);
        if (length < 0 || length > bytes.Length - 4) throw new FormatException($"truncated profile (body length {length})");
        var profile = ReadJson(bytes.Slice(4, length));
        using var stream = new MemoryStream(bytes[(4 + length)..].ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            return ProfileSections.Read(reader, profile, version);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("truncated profile (extensions)", e);
        }
    }
}

internal sealed record LineItemV1(string Id, string? Category, decimal Price, int Quantity);

internal sealed record PurchaseV1(string OrderId, DateTimeOffset At, decimal Revenue, string? Currency, LineItemV1[] Items);

internal sealed record ConsentV1(bool Granted, DateTimeOffset At);

/// <summary>Version 1 of the persisted profile. Never change a member's meaning; add members with defaults.</summary>
internal sealed record ProfileStateV1
{
    public required string Id { get; init; }
    /// <summary>Counts by event type wire name, so reordering the enum cannot corrupt old data.</summary>
    public Dictionary<string, long> Counts { get; init; } = new();
    public DateTimeOffset? FirstSeen { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public decimal TotalRevenue { get; init; }
    public int Orders { get; init; }
    public IReadOnlyList<string> RecentItems { get; init; } = [];
    public PurchaseV1? LastPurchase { get; init; }
    public IReadOnlyDictionary<string, string> Traits { get; init; } = new Dictionary<string, string>();
    public Dictionary<string, ConsentV1>? Consent { get; init; }
    public IReadOnlyList<string> KnownIds { get; init; } = [];
    /// <summary>v1 and v2 only: from v3 the ids travel as hashes after the binary section, and this is omitted.</summary>
    public string[]? RecentEventIds { get; init; }
    public long LogGeneration { get; init; }
    public IReadOnlyDictionary<int, long> HighestOffsets { get; init; } = new Dictionary<int, long>();
    public long EventsApplied { get; init; }

    public static ProfileStateV1 From(UserProfile p)
    {
        var counts = new Dictionary<string, long>();
        foreach (var type in EventTypes.All)
            if (p.CountOf(type) is var n and > 0) counts[EventTypes.ToWire(type)] = n;
        return new ProfileStateV1
        {
            Id = p.Id,
            Counts = counts,
            FirstSeen = p.FirstSeen,
            LastSeen = p.LastSeen,
            TotalRevenue = p.TotalRevenue,
            Orders = p.Orders,
            RecentItems = p.RecentlyViewedItems, // immutable: written as they are, not copied
            LastPurchase = p.LastPurchase is { } lp
                ? new PurchaseV1(lp.OrderId, lp.At, lp.Revenue, lp.Currency, lp.Items.Select(i => new LineItemV1(i.ItemId, i.Category, i.Price, i.Quantity)).ToArray())
                : null,
            Traits = p.Traits,
            Consent = p.Consent?.ToDictionary(c => c.Key, c => new ConsentV1(c.Value.Granted, c.Value.At)),
            KnownIds = p.KnownIds,
            LogGeneration = p.Dedupe.LogGeneration,
            HighestOffsets = p.Dedupe.HighestOffsetByPartition,
            EventsApplied = p.EventsApplied,
        };
    }

    public UserProfile ToProfile()
    {
        var counts = new long[EventTypes.All.Count];
        foreach (var (wire, n) in Counts)
            if (EventTypes.TryParse(wire, out var type)) counts[(int)type] = n;
        return new UserProfile
        {
            Id = Id,
            EventCounts = counts,
            FirstSeen = FirstSeen,
            LastSeen = LastSeen,
            TotalRevenue = TotalRevenue,
            Orders = Orders,
            RecentlyViewedItems = RecentItems,
            LastPurchase = LastPurchase is { } lp
                ? new PurchaseSummary(lp.OrderId, lp.At, lp.Revenue, lp.Currency, lp.Items.Select(i => new LineItem(i.Id, i.Category, i.Price, i.Quantity)).ToArray())
                : null,
            Traits = Traits,
            Consent = Consent?.ToDictionary(c => c.Key, c => new ConsentState(c.Value.Granted, c.Value.At)),
            KnownIds = KnownIds,
            Dedupe = DedupeState.Restore((RecentEventIds ?? []).Select(DedupeState.HashOf), LogGeneration, HighestOffsets),
            EventsApplied = EventsApplied,
        };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProfileStateV1))]
internal sealed partial class CodecJsonContext : JsonSerializerContext;
