using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DmpActors.Domain.Events;

/// <summary>
/// Parses and validates one event from UTF-8 JSON in a single forward pass with <see cref="Utf8JsonReader"/>.
/// The contract (fields, types, rejection reasons) is documented in docs/events.md.
/// </summary>
/// <remarks>
/// Hot path: property names are compared as UTF-8 bytes, low-cardinality strings are interned, and only the
/// fields that belong to the event's type are read. When "type" comes after "properties" or "traits" (rare),
/// those objects are skipped once and re-read from their byte range after the type is known.
/// Duplicate keys among the fields we read are rejected (malformed_json) rather than silently resolved,
/// because two parsers that resolve them differently would disagree about what the event says.
/// </remarks>
public static class EventParser
{
    private const int MaxEchoChars = 64;

    /// <summary>Validates everything; <paramref name="now"/> is the injected clock for the future-timestamp check.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8Json, DateTimeOffset now, EventLimits? limits = null) =>
        ParseCore(utf8Json, limits ?? EventLimits.Default, now, checkFuture: true);

    /// <summary>
    /// <see cref="Parse"/> for an event read from a log record (Kafka) stamped <paramref name="recordUnixMs"/>
    /// (producer or broker time, ms since the epoch; 0 or less when the record has none). The future check is judged
    /// against the record's time, not the clock at reading, so a record read again later (a replay after a restart
    /// or a rebalance) gets the same verdict as the first time. A record stamped beyond <paramref name="now"/> plus
    /// <see cref="EventLimits.MaxFutureSkew"/> is judged at that bound, so a producer's clock cannot widen the check.
    /// </summary>
    public static ParseResult ParseRecord(ReadOnlySpan<byte> utf8Json, long recordUnixMs, DateTimeOffset now, EventLimits? limits = null)
    {
        limits ??= EventLimits.Default;
        return ParseCore(utf8Json, limits, RecordTime(recordUnixMs, now, limits), checkFuture: true);
    }

    private static DateTimeOffset RecordTime(long recordUnixMs, DateTimeOffset now, EventLimits limits)
    {
        if (recordUnixMs <= 0 || recordUnixMs > MaxUnixMs) return now;
        var recorded = DateTimeOffset.FromUnixTimeMilliseconds(recordUnixMs);
        var bound = now + limits.MaxFutureSkew;
        return recorded < bound ? recorded : bound;
    }

    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Same as <see cref="Parse"/> but never rejects for <see cref="RejectReason.FutureTimestamp"/>:
    /// for re-reading events that were already accepted (journal, DLQ replays).</summary>
    public static ParseResult ParseAccepted(ReadOnlySpan<byte> utf8Json) =>
        ParseCore(utf8Json, EventLimits.Default, default, checkFuture: false);

    /// <summary><see cref="ParseAccepted(ReadOnlySpan{byte})"/> with the limits the events were accepted under.</summary>
    public static ParseResult ParseAccepted(ReadOnlySpan<byte> utf8Json, EventLimits limits) =>
        ParseCore(utf8Json, limits ?? throw new ArgumentNullException(nameof(limits)), default, checkFuture: false);

    internal delegate ParseResult SpanParser(ReadOnlySpan<byte> json, EventLimits limits, DateTimeOffset now, bool checkFuture);

    private static readonly SpanParser Unguarded = ParseUnguarded;

    private static ParseResult ParseCore(ReadOnlySpan<byte> json, EventLimits limits, DateTimeOffset now, bool checkFuture) =>
        Guarded(Unguarded, json, limits, now, checkFuture);

    /// <summary>Any exception the parser throws (a defect, not a property of the input) rejects that one input as
    /// <see cref="RejectReason.ParseFailed"/>: it costs the event, never the collector's request or the ingest stream.</summary>
    internal static ParseResult Guarded(SpanParser parser, ReadOnlySpan<byte> json, EventLimits limits, DateTimeOffset now, bool checkFuture)
    {
        try
        {
            return parser(json, limits, now, checkFuture);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ParseResult.Rejected(RejectReason.ParseFailed, $"the parser failed on this event ({e.GetType().Name})");
        }
    }

    private static ParseResult ParseUnguarded(ReadOnlySpan<byte> json, EventLimits limits, DateTimeOffset now, bool checkFuture)
    {
        if (json.Length > limits.MaxEventBytes)
            return ParseResult.Rejected(RejectReason.Oversize, $"event is {json.Length} bytes; limit is {limits.MaxEventBytes}");

        try
        {
            return ParseObject(json, limits, now, checkFuture);
        }
        catch (JsonException ex)
        {
            return ParseResult.Rejected(RejectReason.MalformedJson, Describe(ex));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Invalid UTF-8 inside a string surfaces from GetString / strict decoding.
            return ParseResult.Rejected(RejectReason.MalformedJson, "invalid UTF-8 in a string value");
        }
    }

    private static ParseResult ParseObject(ReadOnlySpan<byte> json, EventLimits limits, DateTimeOffset now, bool checkFuture)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
        if (!reader.Read()) return ParseResult.Rejected(RejectReason.MalformedJson, "empty payload");
        if (reader.TokenType != JsonTokenType.StartObject)
            return ParseResult.Rejected(RejectReason.MalformedJson, $"top level must be an object, not {Describe(reader.TokenType)}");

        string? eventId = null, userId = null, anonymousId = null;
        EventType type = default;
        var hasType = false;
        DateTimeOffset timestamp = default;
        var hasTimestamp = false;
        var props = new Props();
        IReadOnlyDictionary<string, string?>? traits = null;
        // Byte ranges of objects met before "type"; re-read once the type is known.
        int propsStart = -1, propsLength = 0, traitsStart = -1, traitsLength = 0;
        var seen = TopField.None;
        Rejection error;

        while (true)
        {
            if (!reader.Read()) return ParseResult.Rejected(RejectReason.MalformedJson, "unexpected end of JSON");
            if (reader.TokenType == JsonTokenType.EndObject) break;

            var field = ClassifyTop(NameOf(ref reader));
            if (field != TopField.None)
            {
                if ((seen & field) != 0) return Duplicate(TopName(field));
                seen |= field;
            }

            reader.Read();
            switch (field)
            {
                case TopField.EventId:
                    if (!TryReadId(ref reader, "event_id", limits.MaxEventIdLength, out eventId, out error)) return Fail(error);
                    break;
                case TopField.UserId:
                    if (!TryReadId(ref reader, "user_id", limits.MaxIdLength, out userId, out error)) return Fail(error);
                    break;
                case TopField.AnonymousId:
                    if (!TryReadId(ref reader, "anonymous_id", limits.MaxIdLength, out anonymousId, out error)) return Fail(error);
                    break;
                case TopField.Type:
                    if (reader.TokenType == JsonTokenType.Null) break; // reported as missing below
                    if (reader.TokenType != JsonTokenType.String) return WrongType("type", "a string");
                    if (!TryReadType(ref reader, out type)) return ParseResult.Rejected(RejectReason.UnknownType, $"unknown type '{Clip(reader.GetString())}'");
                    hasType = true;
                    break;
                case TopField.Timestamp:
                    if (reader.TokenType == JsonTokenType.Null) break; // reported as missing below
                    if (!TryReadTimestamp(ref reader, out timestamp, out error)) return Fail(error);
                    hasTimestamp = true;
                    break;
                case TopField.Properties:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.StartObject) return WrongType("properties", "an object");
                    if (hasType)
                    {
                        if (!TryReadProperties(ref reader, type, limits, ref props, out error)) return Fail(error);
                    }
                    else
                    {
                        propsStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        propsLength = (int)reader.BytesConsumed - propsStart;
                    }
                    break;
                case TopField.Traits:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.StartObject) return WrongType("traits", "an object");
                    if (hasType && type == EventType.Identify)
                    {
                        if (!TryReadTraits(ref reader, out traits, out error)) return Fail(error);
                    }
                    else
                    {
                        traitsStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        traitsLength = (int)reader.BytesConsumed - traitsStart;
                    }
                    break;
                case TopField.Context:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.StartObject) return WrongType("context", "an object");
                    reader.Skip();
                    break;
                default:
                    reader.Skip(); // unknown top-level fields are ignored
                    break;
            }
        }

        // Anything but whitespace after the object makes Read throw (malformed_json).
        if (reader.Read()) return ParseResult.Rejected(RejectReason.MalformedJson, "content after the event object");

        if (eventId is null) return ParseResult.Rejected(RejectReason.MissingId, "event_id is required");
        if (userId is null && anonymousId is null) return ParseResult.Rejected(RejectReason.MissingId, "user_id or anonymous_id is required");
        if (!hasType) return ParseResult.Rejected(RejectReason.MissingField, "type is required");
        if (!hasTimestamp) return ParseResult.Rejected(RejectReason.MissingField, "timestamp is required");
        if (checkFuture && timestamp - now > limits.MaxFutureSkew)
            return ParseResult.Rejected(RejectReason.FutureTimestamp, $"timestamp is more than {Describe(limits.MaxFutureSkew)} ahead of now");

        if (propsStart >= 0)
        {
            var inner = new Utf8JsonReader(json.Slice(propsStart, propsLength));
            inner.Read();
            if (!TryReadProperties(ref inner, type, limits, ref props, out error)) return Fail(error);
        }

        if (traitsStart >= 0 && type == EventType.Identify)
        {
            var inner = new Utf8JsonReader(json.Slice(traitsStart, traitsLength));
            inner.Read();
            if (!TryReadTraits(ref inner, out traits, out error)) return Fail(error);
        }

        return Build(eventId, type, userId, anonymousId, timestamp, ref props, traits);
    }

    private static ParseResult Build(
        string eventId, EventType type, string? userId, string? anonymousId, DateTimeOffset timestamp,
        ref Props p, IReadOnlyDictionary<string, string?>? traits)
    {
        switch (type)
        {
            case EventType.ProductView:
            case EventType.AddToCart:
            case EventType.RemoveFromCart:
                if (p.ItemId is null) return Missing("properties.item_id");
                break;
            case EventType.Search:
                if (p.Query is null) return Missing("properties.query");
                break;
            case EventType.Purchase:
                if (p.OrderId is null) return Missing("properties.order_id");
                if (p.Revenue is null)
                {
                    if (!TrySumRevenue(p.Items, out var sum) || Math.Abs(sum) > EventLimits.MaxAmount)
                        return ParseResult.Rejected(RejectReason.OutOfRange,
                            $"properties.revenue (the sum of price × quantity over properties.items) is beyond ±{EventLimits.MaxAmount:0}");
                    p.Revenue = sum;
                }
                break;
            case EventType.Identify:
                if (userId is null) return ParseResult.Rejected(RejectReason.MissingId, "identify requires user_id");
                break;
            case EventType.Alias:
                if (userId is null) return ParseResult.Rejected(RejectReason.MissingId, "alias requires user_id");
                if (p.PreviousId is null) return Missing("properties.previous_id");
                break;
            case EventType.Consent:
                if (p.Purposes is null) return Missing("properties.purposes");
                break;
            case EventType.OfferImpression:
            case EventType.OfferClick:
                if (p.CampaignId is null) return Missing("properties.campaign_id");
                break;
            case EventType.Custom:
                if (p.Name is null) return Missing("properties.name");
                break;
        }

        var isCart = type is EventType.AddToCart or EventType.RemoveFromCart;
        return ParseResult.Ok(new UserEvent
        {
            EventId = eventId,
            Type = type,
            UserId = userId,
            AnonymousId = anonymousId,
            Timestamp = timestamp,
            Url = p.Url,
            ItemId = p.ItemId,
            Category = p.Category,
            Price = p.Price,
            Quantity = isCart ? p.Quantity ?? 1 : null,
            Query = p.Query,
            OrderId = p.OrderId,
            Items = p.Items ?? Array.Empty<LineItem>(),
            Revenue = p.Revenue,
            Currency = p.Currency,
            PreviousId = p.PreviousId,
            ConsentPurposes = p.Purposes,
            CampaignId = p.CampaignId,
            VariantId = p.VariantId,
            Name = p.Name,
            Traits = type == EventType.Identify ? traits ?? EmptyTraits : null,
        });
    }

    private static readonly IReadOnlyDictionary<string, string?> EmptyTraits = new Dictionary<string, string?>(0);

    private static bool TrySumRevenue(LineItem[]? items, out decimal sum)
    {
        sum = 0m;
        if (items is null) return true;
        try
        {
            foreach (var item in items) sum = checked(sum + item.Price * item.Quantity);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    // ---- top level -------------------------------------------------------------------------------------------

    [Flags]
    private enum TopField : byte
    {
        None = 0,
        EventId = 1,
        Type = 2,
        UserId = 4,
        AnonymousId = 8,
        Timestamp = 16,
        Properties = 32,
        Traits = 64,
        Context = 128,
    }

    private static TopField ClassifyTop(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("type"u8) => TopField.Type,
        6 when name.SequenceEqual("traits"u8) => TopField.Traits,
        7 when name.SequenceEqual("user_id"u8) => TopField.UserId,
        7 when name.SequenceEqual("context"u8) => TopField.Context,
        8 when name.SequenceEqual("event_id"u8) => TopField.EventId,
        9 when name.SequenceEqual("timestamp"u8) => TopField.Timestamp,
        10 when name.SequenceEqual("properties"u8) => TopField.Properties,
        12 when name.SequenceEqual("anonymous_id"u8) => TopField.AnonymousId,
        _ => TopField.None,
    };

    private static string TopName(TopField f) => f switch
    {
        TopField.EventId => "event_id",
        TopField.Type => "type",
        TopField.UserId => "user_id",
        TopField.AnonymousId => "anonymous_id",
        TopField.Timestamp => "timestamp",
        TopField.Properties => "properties",
        TopField.Traits => "traits",
        _ => "context",
    };

    /// <summary>The current property name as unescaped UTF-8; escaped names are rare, so they may allocate.</summary>
    private static ReadOnlySpan<byte> NameOf(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    private static bool TryReadType(ref Utf8JsonReader reader, out EventType type)
    {
        if (!reader.ValueIsEscaped) return EventTypes.TryParse(reader.ValueSpan, out type);
        return EventTypes.TryParse(reader.GetString()!, out type);
    }

    private static bool TryReadId(ref Utf8JsonReader reader, string field, int maxLength, out string? id, out Rejection error)
    {
        id = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true; // explicit null = absent
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a string");
            return false;
        }

        // A UTF-16 code unit takes at most 3 UTF-8 bytes (6 when escaped): reject huge values before decoding.
        if (reader.ValueSpan.Length > maxLength * 6)
        {
            error = new Rejection(RejectReason.IdTooLong, $"{field} is longer than {maxLength} characters");
            return false;
        }

        if (!TryDecodeId(ref reader, out var s))
        {
            error = new Rejection(RejectReason.InvalidId, $"{field} is not valid text (invalid UTF-8, a lone surrogate or a control character)");
            return false;
        }

        if (s.Length == 0)
        {
            error = new Rejection(RejectReason.MissingId, $"{field} is empty");
            return false;
        }

        if (s.Length > maxLength)
        {
            error = new Rejection(RejectReason.IdTooLong, $"{field} is longer than {maxLength} characters");
            return false;
        }

        id = s;
        return true;
    }

    /// <summary>Ids become Kafka keys, entity names and database keys: they must be well-formed text (valid UTF-8,
    /// no lone surrogate, no control character), or two systems could read the same id differently.</summary>
    private static bool TryDecodeId(ref Utf8JsonReader reader, out string id)
    {
        id = "";
        if (!reader.ValueIsEscaped && !Utf8.IsValid(reader.ValueSpan)) return false;
        try
        {
            id = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate (\ud800) or invalid UTF-8 next to an escape
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c)) return false;
            if (!char.IsSurrogate(c)) continue;
            if (!char.IsHighSurrogate(c) || i + 1 == id.Length || !char.IsLowSurrogate(id[i + 1])) return false;
            i++;
        }

        return true;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset value, out Rejection error)
    {
        value = default;
        error = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new Rejection(RejectReason.WrongFieldType, "timestamp must be an ISO-8601 string");
            return false;
        }

        var raw = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

        if (raw.Length > 40 || raw.IndexOf((byte)'T') < 0 || !reader.TryGetDateTimeOffset(out value))
        {
            error = new Rejection(RejectReason.InvalidTimestamp, $"timestamp '{Clip(reader.GetString())}' is not ISO-8601");
            return false;
        }

        // STJ reads an offset-less time as local time; that would make the result depend on the host's zone.
        if (!HasExplicitOffset(raw))
        {
            error = new Rejection(RejectReason.InvalidTimestamp, $"timestamp '{Clip(reader.GetString())}' has no offset (Z or ±hh:mm)");
            return false;
        }

        return true;
    }

    private static bool HasExplicitOffset(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0) return false;
        if (s[^1] is (byte)'Z' or (byte)'z') return true;
        return s.Length >= 6 && s[^6] is (byte)'+' or (byte)'-' && s[^3] == (byte)':'
               && char.IsAsciiDigit((char)s[^5]) && char.IsAsciiDigit((char)s[^4])
               && char.IsAsciiDigit((char)s[^2]) && char.IsAsciiDigit((char)s[^1]);
    }

    // ---- properties ------------------------------------------------------------------------------------------

    private struct Props
    {
        public string? Url, ItemId, Category, Query, OrderId, Currency, PreviousId, CampaignId, VariantId, Name;
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
    }

    /// <summary>Which properties each type reads, indexed by <see cref="EventType"/>; everything else is ignored.</summary>
    private static readonly PropField[] FieldsOf =
    [
        /* PageView */ PropField.Url,
        /* ProductView */ PropField.ItemId | PropField.Category | PropField.Price,
        /* Search */ PropField.Query,
        /* AddToCart */ PropField.ItemId | PropField.Category | PropField.Price | PropField.Quantity,
        /* RemoveFromCart */ PropField.ItemId | PropField.Category | PropField.Price | PropField.Quantity,
        /* Purchase */ PropField.OrderId | PropField.Items | PropField.Revenue | PropField.Currency,
        /* Identify */ PropField.None,
        /* Alias */ PropField.PreviousId,
        /* Consent */ PropField.Purposes,
        /* OfferImpression */ PropField.CampaignId | PropField.VariantId | PropField.ItemId,
        /* OfferClick */ PropField.CampaignId | PropField.VariantId | PropField.ItemId,
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

    // ---- errors ----------------------------------------------------------------------------------------------

    private static ParseResult Fail(Rejection r) => ParseResult.Rejected(r.Reason, r.Detail);

    private static ParseResult WrongType(string field, string expected) =>
        ParseResult.Rejected(RejectReason.WrongFieldType, $"{field} must be {expected}");

    private static ParseResult Missing(string field) => ParseResult.Rejected(RejectReason.MissingField, $"{field} is required");

    private static ParseResult Duplicate(string field) => Fail(DuplicateError(field));

    private static Rejection DuplicateError(string field) => new(RejectReason.MalformedJson, $"duplicate key {field}");

    /// <summary>Never cuts a surrogate pair in two: a lone half would make the detail invalid text wherever it goes.</summary>
    private static string Clip(string? s, int max = MaxEchoChars)
    {
        if (s is null) return "";
        if (s.Length <= max) return s;
        var keep = char.IsHighSurrogate(s[max - 2]) ? max - 2 : max - 1;
        return string.Concat(s.AsSpan(0, keep), "…");
    }

    private static string Describe(TimeSpan skew) =>
        skew.TotalHours >= 1 ? $"{skew.TotalHours:0.##} h" : skew.TotalMinutes >= 1 ? $"{skew.TotalMinutes:0.##} min" : $"{skew.TotalSeconds:0.##} s";

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };

    /// <summary>STJ messages can quote input; keep only the position, which is enough to find the problem.</summary>
    private static string Describe(JsonException ex) =>
        ex.BytePositionInLine is { } pos ? $"invalid JSON at line {ex.LineNumber + 1}, byte {pos}" : "invalid JSON";
}
