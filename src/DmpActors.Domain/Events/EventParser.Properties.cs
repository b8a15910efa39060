using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DmpActors.Domain.Events;

/// <summary>The properties each event type reads: strings, amounts, quantities, line items, consent purposes and traits.</summary>
public static partial class EventParser
{
    // ---- properties ------------------------------------------------------------------------------------------

    private struct Props
    {
        public string? Url, ItemId, Category, Query, OrderId, Currency, PreviousId, CampaignId, VariantId, Name, RecommendationId;
        public decimal? Price, Revenue;
        public int? Quantity;
        public LineItem[]? Items;
        public IReadOnlyDictionary<string, bool>? Purposes;
    }

    [Flags]
    private enum PropField : ushort
    {
        None = 0,
        Url = 1 << 0,
        ItemId = 1 << 1,
        Category = 1 << 2,
        Price = 1 << 3,
        Quantity = 1 << 4,
        Query = 1 << 5,
        OrderId = 1 << 6,
        Items = 1 << 7,
        Revenue = 1 << 8,
        Currency = 1 << 9,
        PreviousId = 1 << 10,
        Purposes = 1 << 11,
        CampaignId = 1 << 12,
        VariantId = 1 << 13,
        Name = 1 << 14,
        RecommendationId = 1 << 15,
    }

    /// <summary>Which properties each type reads, indexed by <see cref="EventType"/>; everything else is ignored.</summary>
    private static readonly PropField[] FieldsOf =
    [
        /* PageView */ PropField.Url,
        /* ProductView */ PropField.ItemId | PropField.Category | PropField.Price | PropField.RecommendationId,
        /* Search */ PropField.Query,
        /* AddToCart */ PropField.ItemId | PropField.Category | PropField.Price | PropField.Quantity,
        /* RemoveFromCart */ PropField.ItemId | PropField.Category | PropField.Price | PropField.Quantity,
        /* Purchase */ PropField.OrderId | PropField.Items | PropField.Revenue | PropField.Currency,
        /* Identify */ PropField.None,
        /* Alias */ PropField.PreviousId,
        /* Consent */ PropField.Purposes,
        /* OfferImpression */ PropField.CampaignId | PropField.VariantId | PropField.ItemId,
        /* OfferClick */ PropField.CampaignId | PropField.VariantId | PropField.ItemId | PropField.RecommendationId,
        /* Custom */ PropField.Name,
    ];

    private static PropField ClassifyProp(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("url"u8) => PropField.Url,
        4 when name.SequenceEqual("name"u8) => PropField.Name,
        5 when name.SequenceEqual("price"u8) => PropField.Price,
        5 when name.SequenceEqual("query"u8) => PropField.Query,
        5 when name.SequenceEqual("items"u8) => PropField.Items,
        7 when name.SequenceEqual("item_id"u8) => PropField.ItemId,
        7 when name.SequenceEqual("revenue"u8) => PropField.Revenue,
        8 when name.SequenceEqual("category"u8) => PropField.Category,
        8 when name.SequenceEqual("quantity"u8) => PropField.Quantity,
        8 when name.SequenceEqual("order_id"u8) => PropField.OrderId,
        8 when name.SequenceEqual("currency"u8) => PropField.Currency,
        8 when name.SequenceEqual("purposes"u8) => PropField.Purposes,
        10 when name.SequenceEqual("variant_id"u8) => PropField.VariantId,
        11 when name.SequenceEqual("previous_id"u8) => PropField.PreviousId,
        11 when name.SequenceEqual("campaign_id"u8) => PropField.CampaignId,
        17 when name.SequenceEqual("recommendation_id"u8) => PropField.RecommendationId,
        _ => PropField.None,
    };

    /// <summary>Reader is on the properties StartObject; leaves it on the matching EndObject.</summary>
    private static bool TryReadProperties(ref Utf8JsonReader reader, EventType type, EventLimits limits, ref Props p, out Rejection error)
    {
        error = default;
        var wanted = FieldsOf[(int)type];
        var seen = PropField.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = ClassifyProp(NameOf(ref reader)) & wanted;
            reader.Read();
            if (field == PropField.None)
            {
                reader.Skip();
                continue;
            }

            if ((seen & field) != 0)
            {
                error = DuplicateError("properties." + PropName(field));
                return false;
            }

            seen |= field;
            var ok = field switch
            {
                PropField.Url => TryReadString(ref reader, "properties.url", intern: false, required: false, out p.Url, out error),
                PropField.ItemId => TryReadString(ref reader, "properties.item_id", intern: false, required: true, out p.ItemId, out error),
                PropField.Category => TryReadString(ref reader, "properties.category", intern: true, required: false, out p.Category, out error),
                PropField.Price => TryReadAmount(ref reader, "properties.price", out p.Price, out error),
                PropField.Quantity => TryReadQuantity(ref reader, "properties.quantity", out p.Quantity, out error),
                PropField.Query => TryReadString(ref reader, "properties.query", intern: false, required: true, out p.Query, out error),
                PropField.OrderId => TryReadString(ref reader, "properties.order_id", intern: false, required: true, out p.OrderId, out error),
                PropField.Items => TryReadItems(ref reader, out p.Items, out error),
                PropField.Revenue => TryReadAmount(ref reader, "properties.revenue", out p.Revenue, out error),
                PropField.Currency => TryReadString(ref reader, "properties.currency", intern: true, required: false, out p.Currency, out error),
                PropField.PreviousId => TryReadPreviousId(ref reader, limits.MaxIdLength, out p.PreviousId, out error),
                PropField.Purposes => TryReadPurposes(ref reader, out p.Purposes, out error),
                PropField.CampaignId => TryReadString(ref reader, "properties.campaign_id", intern: true, required: true, out p.CampaignId, out error),
                PropField.VariantId => TryReadString(ref reader, "properties.variant_id", intern: true, required: false, out p.VariantId, out error),
                PropField.Name => TryReadString(ref reader, "properties.name", intern: true, required: true, out p.Name, out error),
                PropField.RecommendationId => TryReadString(ref reader, "properties.recommendation_id", intern: false, required: true,
                    out p.RecommendationId, out error),
                _ => true,
            };
            if (!ok) return false;
        }

        return true;
    }

    private static string PropName(PropField f) => f switch
    {
        PropField.Url => "url",
        PropField.ItemId => "item_id",
        PropField.Category => "category",
        PropField.Price => "price",
        PropField.Quantity => "quantity",
        PropField.Query => "query",
        PropField.OrderId => "order_id",
        PropField.Items => "items",
        PropField.Revenue => "revenue",
        PropField.Currency => "currency",
        PropField.PreviousId => "previous_id",
        PropField.Purposes => "purposes",
        PropField.CampaignId => "campaign_id",
        PropField.VariantId => "variant_id",
        PropField.RecommendationId => "recommendation_id",
        _ => "name",
    };

    /// <summary>Null reads as absent. An empty required string is reported as missing.</summary>
    private static bool TryReadString(ref Utf8JsonReader reader, string field, bool intern, bool required, out string? value, out Rejection error)
    {
        value = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a string");
            return false;
        }

        value = intern && !reader.ValueIsEscaped ? Utf8StringPool.Get(reader.ValueSpan) : reader.GetString()!;
        if (required && value.Length == 0)
        {
            value = null;
            error = new Rejection(RejectReason.MissingField, $"{field} is empty");
            return false;
        }

        return true;
    }

    /// <summary>The previous id of an alias is routed to like <c>user_id</c>, so it follows the id rules; empty is missing.</summary>
    private static bool TryReadPreviousId(ref Utf8JsonReader reader, int maxLength, out string? value, out Rejection error)
    {
        if (!TryReadId(ref reader, "properties.previous_id", maxLength, out value, out error))
        {
            if (error.Reason == RejectReason.MissingId) error = error with { Reason = RejectReason.MissingField };
            return false;
        }

        return true;
    }

    /// <summary>A price or revenue: a JSON number within ±<see cref="EventLimits.MaxAmount"/>.</summary>
    private static bool TryReadAmount(ref Utf8JsonReader reader, string field, out decimal? value, out Rejection error)
    {
        value = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.Number)
        {
            error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a number");
            return false;
        }

        // A number decimal cannot hold (1e400, 1e-400) is out of range too.
        if (!reader.TryGetDecimal(out var d) || Math.Abs(d) > EventLimits.MaxAmount)
        {
            error = new Rejection(RejectReason.OutOfRange, $"{field} must be within ±{EventLimits.MaxAmount:0}");
            return false;
        }

        value = d;
        return true;
    }

    /// <summary>A quantity: an integer from 1 to <see cref="EventLimits.MaxQuantity"/> (2 and 2.0 alike).</summary>
    private static bool TryReadQuantity(ref Utf8JsonReader reader, string field, out int? value, out Rejection error)
    {
        value = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.Number)
        {
            error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a positive integer");
            return false;
        }

        if (!reader.TryGetInt32(out var q))
        {
            var isDecimal = reader.TryGetDecimal(out var d);
            if (isDecimal && d != decimal.Truncate(d))
            {
                error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a positive integer");
                return false;
            }

            // 2.0 is 2; an integer beyond 32 bits (or beyond decimal, 1e400) is out of range below.
            q = isDecimal && d is >= 1 and <= EventLimits.MaxQuantity ? (int)d : 0;
        }

        if (q is < 1 or > EventLimits.MaxQuantity)
        {
            error = new Rejection(RejectReason.OutOfRange, $"{field} must be from 1 to {EventLimits.MaxQuantity}");
            return false;
        }

        value = q;
        return true;
    }

    private static bool TryReadItems(ref Utf8JsonReader reader, out LineItem[]? items, out Rejection error)
    {
        items = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = new Rejection(RejectReason.WrongFieldType, "properties.items must be an array");
            return false;
        }

        var list = new List<LineItem>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = list.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new Rejection(RejectReason.WrongFieldType, $"properties.items[{index}] must be an object");
                return false;
            }

            string? itemId = null, category = null;
            decimal? price = null;
            int? quantity = null;
            var seen = PropField.None;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var field = ClassifyProp(NameOf(ref reader)) & (PropField.ItemId | PropField.Category | PropField.Price | PropField.Quantity);
                reader.Read();
                if (field == PropField.None)
                {
                    reader.Skip();
                    continue;
                }

                if ((seen & field) != 0)
                {
                    error = DuplicateError($"properties.items[{index}].{PropName(field)}");
                    return false;
                }

                seen |= field;
                // The field path is only built on failure: line items are on the purchase hot path.
                var ok = field switch
                {
                    PropField.ItemId => TryReadString(ref reader, "", intern: false, required: true, out itemId, out error),
                    PropField.Category => TryReadString(ref reader, "", intern: true, required: false, out category, out error),
                    PropField.Price => TryReadAmount(ref reader, "", out price, out error),
                    _ => TryReadQuantity(ref reader, "", out quantity, out error),
                };
                if (!ok)
                {
                    error = error with { Detail = $"properties.items[{index}].{PropName(field)}{error.Detail}" };
                    return false;
                }
            }

            if (itemId is null)
            {
                error = new Rejection(RejectReason.MissingField, $"properties.items[{index}].item_id is required");
                return false;
            }

            list.Add(new LineItem(itemId, category, price ?? 0m, quantity ?? 1));
        }

        items = list.ToArray();
        return true;
    }

    private static bool TryReadPurposes(ref Utf8JsonReader reader, out IReadOnlyDictionary<string, bool>? purposes, out Rejection error)
    {
        purposes = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new Rejection(RejectReason.WrongFieldType, "properties.purposes must be an object");
            return false;
        }

        var map = new Dictionary<string, bool>(4, StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = ReadKey(ref reader);
            reader.Read();
            if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
            {
                error = new Rejection(RejectReason.WrongFieldType, $"properties.purposes.{Clip(key, 32)} must be true or false");
                return false;
            }

            if (!map.TryAdd(key, reader.TokenType == JsonTokenType.True))
            {
                error = DuplicateError($"properties.purposes.{Clip(key, 32)}");
                return false;
            }
        }

        purposes = map;
        return true;
    }

    /// <summary>Traits are kept as strings: strings as-is, numbers and booleans as their JSON text, null = remove.</summary>
    private static bool TryReadTraits(ref Utf8JsonReader reader, out IReadOnlyDictionary<string, string?>? traits, out Rejection error)
    {
        traits = null;
        error = default;
        var map = new Dictionary<string, string?>(4, StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = ReadKey(ref reader);
            reader.Read();
            string? value;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    value = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    value = Utf8StringPool.StrictUtf8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                    value = "true";
                    break;
                case JsonTokenType.False:
                    value = "false";
                    break;
                case JsonTokenType.Null:
                    value = null;
                    break;
                default:
                    error = new Rejection(RejectReason.WrongFieldType, $"traits.{Clip(key, 32)} must be a string, number, boolean or null");
                    return false;
            }

            if (!map.TryAdd(key, value))
            {
                error = DuplicateError($"traits.{Clip(key, 32)}");
                return false;
            }
        }

        traits = map;
        return true;
    }

    private static string ReadKey(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? reader.GetString()! : Utf8StringPool.Get(reader.ValueSpan);
}
