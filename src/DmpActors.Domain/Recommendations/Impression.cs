using System.Text.Json;
using System.Text.Json.Serialization;

namespace DmpActors.Domain.Recommendations;

/// <summary>One item of a served list: its id, its place (0 first) and the features it had when served (what the CTR
/// model learns from: known at serving time only, so a label can never leak into them).</summary>
public sealed record ImpressedItem(
    [property: JsonPropertyName("item_id")] string ItemId,
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("features")] float[]? Features = null);

/// <summary>
/// A served recommendation list, logged once per answer to the impressions topic: its id (clicks name it), the
/// user, the slot, when it was served, which node served it (that node turns it into training rows), and its items.
/// </summary>
public sealed record Impression(
    [property: JsonPropertyName("recommendation_id")] string RecommendationId,
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("slot")] string? Slot,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("items")] IReadOnlyList<ImpressedItem> Items)
{
    /// <summary>The slot name statistics are kept under ("default" when the request named none).</summary>
    public string SlotKey => string.IsNullOrEmpty(Slot) ? ImpressionCodec.DefaultSlot : Slot;

    public int IndexOf(string itemId)
    {
        for (var i = 0; i < Items.Count; i++)
        {
            if (Items[i].ItemId == itemId) return i;
        }

        return -1;
    }
}

/// <summary>The impressions topic's record format: one JSON object per served list.</summary>
public static class ImpressionCodec
{
    public const string DefaultSlot = "default";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static byte[] Encode(Impression impression) => JsonSerializer.SerializeToUtf8Bytes(impression, Json);

    /// <summary>The impression in <paramref name="utf8"/>, or null when it is not one (a malformed record is skipped).</summary>
    public static Impression? TryDecode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var i = JsonSerializer.Deserialize<Impression>(utf8, Json);
            return i is { RecommendationId.Length: > 0, UserId.Length: > 0, Items: not null } && i.Items.All(x => x is { ItemId.Length: > 0 })
                ? i
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
