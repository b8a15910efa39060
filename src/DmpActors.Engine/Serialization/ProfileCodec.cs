using System.Text.Json;
using System.Text.Json.Serialization;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Serialization;

/// <summary>
/// The persisted form of a profile: a two-byte header ('P', format version) and a JSON body whose
/// shape is the explicit contract below, independent of the domain types. A new format gets a new
/// version number and the decoder keeps reading every older one (tests hold a v1 sample).
/// </summary>
public static class ProfileCodec
{
    private const byte Magic = (byte)'P';
    public const byte CurrentVersion = 1;

    public static byte[] Encode(UserProfile profile)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(ProfileStateV1.From(profile), CodecJsonContext.Default.ProfileStateV1);
        var bytes = new byte[body.Length + 2];
        bytes[0] = Magic;
        bytes[1] = CurrentVersion;
        body.CopyTo(bytes, 2);
        return bytes;
    }

    public static UserProfile Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2 || bytes[0] != Magic)
            throw new FormatException("not a DmpActors profile (bad header)");
        return bytes[1] switch
        {
            1 => (JsonSerializer.Deserialize(bytes[2..], CodecJsonContext.Default.ProfileStateV1)
                  ?? throw new FormatException("empty profile body")).ToProfile(),
            var v => throw new FormatException($"profile format version {v} is newer than this build understands ({CurrentVersion})"),
        };
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
    public string[] RecentItems { get; init; } = [];
    public PurchaseV1? LastPurchase { get; init; }
    public Dictionary<string, string> Traits { get; init; } = new();
    public Dictionary<string, ConsentV1>? Consent { get; init; }
    public string[] KnownIds { get; init; } = [];
    public string[] RecentEventIds { get; init; } = [];
    public long LogGeneration { get; init; }
    public Dictionary<int, long> HighestOffsets { get; init; } = new();
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
            RecentItems = p.RecentlyViewedItems.ToArray(),
            LastPurchase = p.LastPurchase is { } lp
                ? new PurchaseV1(lp.OrderId, lp.At, lp.Revenue, lp.Currency, lp.Items.Select(i => new LineItemV1(i.ItemId, i.Category, i.Price, i.Quantity)).ToArray())
                : null,
            Traits = new Dictionary<string, string>(p.Traits),
            Consent = p.Consent?.ToDictionary(c => c.Key, c => new ConsentV1(c.Value.Granted, c.Value.At)),
            KnownIds = p.KnownIds.ToArray(),
            RecentEventIds = p.Dedupe.RecentEventIds.ToArray(),
            LogGeneration = p.Dedupe.LogGeneration,
            HighestOffsets = new Dictionary<int, long>(p.Dedupe.HighestOffsetByPartition),
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
            Dedupe = DedupeState.Restore(RecentEventIds, LogGeneration, HighestOffsets),
            EventsApplied = EventsApplied,
        };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProfileStateV1))]
internal sealed partial class CodecJsonContext : JsonSerializerContext;
