using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace DmpActors.Traffic.Ysb;

/// <summary>
/// YSB ad events: <c>{user_id, page_id, ad_id, ad_type, event_type, event_time, ip_address}</c> with
/// event_time in epoch milliseconds as a string, as the original generator writes them. Event and ad
/// types are uniform, so a third of the events are views. 100 users and 100 pages, as in YSB.
/// </summary>
public sealed class YsbEventWriter
{
    public static readonly string[] EventTypes = ["view", "click", "purchase"];
    public static readonly string[] AdTypes = ["banner", "modal", "sponsored-search", "mail", "mobile"];

    private static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
    private static readonly JsonEncodedText PageId = JsonEncodedText.Encode("page_id");
    private static readonly JsonEncodedText AdId = JsonEncodedText.Encode("ad_id");
    private static readonly JsonEncodedText AdType = JsonEncodedText.Encode("ad_type");
    private static readonly JsonEncodedText EventType = JsonEncodedText.Encode("event_type");
    private static readonly JsonEncodedText EventTime = JsonEncodedText.Encode("event_time");
    private static readonly JsonEncodedText IpAddress = JsonEncodedText.Encode("ip_address");

    private readonly YsbCampaigns _campaigns;
    private readonly Random _random;
    private readonly string[] _users;
    private readonly string[] _pages;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;

    public YsbEventWriter(YsbCampaigns campaigns, int seed)
    {
        _campaigns = campaigns;
        _random = new Random(seed);
        _users = Enumerable.Range(0, 100).Select(_ => YsbCampaigns.Uuid(_random)).ToArray();
        _pages = Enumerable.Range(0, 100).Select(_ => YsbCampaigns.Uuid(_random)).ToArray();
        _json = new Utf8JsonWriter(_buffer);
    }

    /// <summary>The next event stamped <paramref name="eventTimeMs"/>; returns its JSON and whether it is a view.</summary>
    public (byte[] Json, bool IsView, int AdIndex) Next(long eventTimeMs)
    {
        var adIndex = _random.Next(_campaigns.Ads.Count);
        var eventType = _random.Next(EventTypes.Length);
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString(UserId, _users[_random.Next(_users.Length)]);
        _json.WriteString(PageId, _pages[_random.Next(_pages.Length)]);
        _json.WriteString(AdId, _campaigns.Ads[adIndex]);
        _json.WriteString(AdType, AdTypes[_random.Next(AdTypes.Length)]);
        _json.WriteString(EventType, EventTypes[eventType]);
        Span<byte> time = stackalloc byte[20];
        Utf8Formatter.TryFormat(eventTimeMs, time, out var written);
        _json.WriteString(EventTime, time[..written]);
        _json.WriteString(IpAddress, $"1.2.3.{_random.Next(256)}");
        _json.WriteEndObject();
        _json.Flush();
        return (_buffer.WrittenSpan.ToArray(), eventType == 0, adIndex);
    }
}

/// <summary>The fields YSB's pipeline needs from an event: deserialise, filter, project.</summary>
public readonly record struct YsbView(string AdId, long EventTimeMs);

public static class YsbEventReader
{
    /// <summary>Reads one event; true with the ad and event time when it is a view, false for clicks and purchases.
    /// Throws <see cref="FormatException"/> for JSON without ad_id, event_type or a numeric event_time.</summary>
    public static bool TryReadView(ReadOnlySpan<byte> json, out YsbView view)
    {
        var reader = new Utf8JsonReader(json);
        string? adId = null, eventType = null;
        long? eventTime = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                if (reader.ValueTextEquals("ad_id"u8)) { reader.Read(); adId = reader.GetString(); }
                else if (reader.ValueTextEquals("event_type"u8)) { reader.Read(); eventType = reader.GetString(); }
                else if (reader.ValueTextEquals("event_time"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out long ms, out var used) && used == reader.ValueSpan.Length)
                        eventTime = ms;
                }
                else reader.Skip();
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a YSB event: {e.Message}", e);
        }
        if (adId is null || eventType is null || eventTime is null)
            throw new FormatException("not a YSB event: ad_id, event_type and a numeric event_time string are required");
        view = new YsbView(adId, eventTime.Value);
        return eventType == "view";
    }
}
