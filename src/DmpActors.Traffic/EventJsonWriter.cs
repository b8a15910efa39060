using System.Buffers;
using System.Text.Json;

namespace DmpActors.Traffic;

/// <summary>
/// Writes one event at a time into a reused buffer: the only per-event allocation is the final byte[].
/// Property names are pre-encoded; the timestamp text is cached while the clock reads the same instant.
/// </summary>
internal sealed class EventJsonWriter
{
    public static readonly JsonEncodedText EventId = JsonEncodedText.Encode("event_id");
    public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
    public static readonly JsonEncodedText AnonymousId = JsonEncodedText.Encode("anonymous_id");
    public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
    public static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");
    public static readonly JsonEncodedText Traits = JsonEncodedText.Encode("traits");
    public static readonly JsonEncodedText SessionId = JsonEncodedText.Encode("session_id");
    public static readonly JsonEncodedText Url = JsonEncodedText.Encode("url");
    public static readonly JsonEncodedText ItemId = JsonEncodedText.Encode("item_id");
    public static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    public static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
    public static readonly JsonEncodedText Query = JsonEncodedText.Encode("query");
    public static readonly JsonEncodedText OrderId = JsonEncodedText.Encode("order_id");
    public static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    public static readonly JsonEncodedText Revenue = JsonEncodedText.Encode("revenue");
    public static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    public static readonly JsonEncodedText PreviousId = JsonEncodedText.Encode("previous_id");
    public static readonly JsonEncodedText Purposes = JsonEncodedText.Encode("purposes");
    public static readonly JsonEncodedText Analytics = JsonEncodedText.Encode("analytics");
    public static readonly JsonEncodedText Personalization = JsonEncodedText.Encode("personalization");
    public static readonly JsonEncodedText Marketing = JsonEncodedText.Encode("marketing");
    public static readonly JsonEncodedText CampaignId = JsonEncodedText.Encode("campaign_id");
    public static readonly JsonEncodedText VariantId = JsonEncodedText.Encode("variant_id");
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText Email = JsonEncodedText.Encode("email");
    public static readonly JsonEncodedText Age = JsonEncodedText.Encode("age");
    public static readonly JsonEncodedText City = JsonEncodedText.Encode("city");
    public static readonly JsonEncodedText Gender = JsonEncodedText.Encode("gender");
    public static readonly JsonEncodedText Language = JsonEncodedText.Encode("language");

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _json;
    private readonly string _runId;
    private readonly char[] _idScratch = new char[128];
    private readonly char[] _timestampText = new char[48];
    private int _timestampLength;
    private DateTimeOffset _timestampOf = DateTimeOffset.MinValue;
    private long _sequence;

    public EventJsonWriter(string runId)
    {
        _runId = runId;
        _json = new Utf8JsonWriter(_buffer);
    }

    public Utf8JsonWriter Json => _json;

    public long Sequence => _sequence;

    /// <summary>Starts an event object: event_id, type, ids (null ids are left out) and timestamp.</summary>
    public void Begin(string type, string? userId, string? anonymousId, DateTimeOffset now)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        WriteEventId();
        _json.WriteString(Type, type);
        if (userId is not null) _json.WriteString(UserId, userId);
        if (anonymousId is not null) _json.WriteString(AnonymousId, anonymousId);
        WriteTimestamp(now);
    }

    public void BeginProperties(string sessionId)
    {
        _json.WriteStartObject(Properties);
        _json.WriteString(SessionId, sessionId);
    }

    public void WriteProduct(Catalogue.Product product)
    {
        _json.WriteString(ItemId, product.ItemId);
        _json.WriteString(Category, product.Category);
        _json.WriteNumber(Price, product.Price);
    }

    public byte[] Finish()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteEventId()
    {
        _sequence++;
        var span = _idScratch.AsSpan();
        _runId.AsSpan().CopyTo(span);
        var length = _runId.Length;
        span[length++] = '-';
        _sequence.TryFormat(span[length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _json.WriteString(EventId, span[..(length + written)]);
    }

    private void WriteTimestamp(DateTimeOffset now)
    {
        if (now != _timestampOf || now.Offset != _timestampOf.Offset)
        {
            now.ToUniversalTime().TryFormat(_timestampText, out _timestampLength, "O", System.Globalization.CultureInfo.InvariantCulture);
            _timestampOf = now;
        }
        _json.WriteString(Timestamp, _timestampText.AsSpan(0, _timestampLength));
    }
}
