using System.Buffers;
using System.Text.Json;

namespace DmpActors.Domain.Events;

/// <summary>
/// Writes a <see cref="UserEvent"/> back in the wire format of docs/events.md, so that
/// <c>EventParser.ParseAccepted(EventWriter.ToUtf8Json(e))</c> equals <c>e</c> for any event the parser produced.
/// For journals, DLQ re-drives and tests; not on the ingest hot path (ingest keeps the bytes it received).
/// </summary>
public static class EventWriter
{
    public static byte[] ToUtf8Json(UserEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, e);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter w, UserEvent e)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(e);
        w.WriteStartObject();
        w.WriteString("event_id"u8, e.EventId);
        w.WriteString("type"u8, EventTypes.ToWire(e.Type));
        if (e.UserId is not null) w.WriteString("user_id"u8, e.UserId);
        if (e.AnonymousId is not null) w.WriteString("anonymous_id"u8, e.AnonymousId);
        w.WriteString("timestamp"u8, e.Timestamp); // ISO-8601 round-trip format, offset included

        w.WriteStartObject("properties"u8);
        WriteIfSet(w, "url"u8, e.Url);
        WriteIfSet(w, "item_id"u8, e.ItemId);
        WriteIfSet(w, "category"u8, e.Category);
        if (e.Price is { } price) w.WriteNumber("price"u8, price);
        if (e.Quantity is { } quantity) w.WriteNumber("quantity"u8, quantity);
        WriteIfSet(w, "query"u8, e.Query);
        WriteIfSet(w, "order_id"u8, e.OrderId);
        if (e.Items.Count > 0)
        {
            w.WriteStartArray("items"u8);
            foreach (var item in e.Items)
            {
                w.WriteStartObject();
                w.WriteString("item_id"u8, item.ItemId);
                WriteIfSet(w, "category"u8, item.Category);
                w.WriteNumber("price"u8, item.Price);
                w.WriteNumber("quantity"u8, item.Quantity);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (e.Revenue is { } revenue) w.WriteNumber("revenue"u8, revenue);
        WriteIfSet(w, "currency"u8, e.Currency);
        WriteIfSet(w, "previous_id"u8, e.PreviousId);
        if (e.ConsentPurposes is { } purposes)
        {
            w.WriteStartObject("purposes"u8);
            foreach (var (purpose, granted) in purposes) w.WriteBoolean(purpose, granted);
            w.WriteEndObject();
        }

        WriteIfSet(w, "campaign_id"u8, e.CampaignId);
        WriteIfSet(w, "variant_id"u8, e.VariantId);
        WriteIfSet(w, "name"u8, e.Name);
        WriteIfSet(w, "recommendation_id"u8, e.RecommendationId);
        w.WriteEndObject();

        if (e.Traits is { } traits)
        {
            w.WriteStartObject("traits"u8);
            foreach (var (key, value) in traits)
            {
                if (value is null) w.WriteNull(key);
                else w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }
}
