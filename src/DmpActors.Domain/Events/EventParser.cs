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
public static partial class EventParser
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
                if (p.CampaignId is null) return Missing("properties.campaign_id");
                break;
            case EventType.OfferClick:
                // A click on a recommended item names the list it was in instead of a campaign.
                if (p.CampaignId is null && p.RecommendationId is null) return Missing("properties.campaign_id");
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
            RecommendationId = p.RecommendationId,
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
