using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace DmpActors.Domain.Import;

/// <summary>
/// Turns rows of a table (a CSV file of a user's own history or CRM traits) into events in the wire format of
/// docs/events.md, so the event parser judges them exactly as it judges what producers send (docs/import.md):
/// <c>event_id, type, user_id, anonymous_id, timestamp</c> are the envelope; <c>trait.NAME</c> columns are traits;
/// <c>purpose.NAME</c> columns (true/false) are consent purposes; the item columns of a purchase
/// (<c>item_id, category, price, quantity</c>) make one line item per row, and consecutive rows with the same
/// <c>event_id</c> are one purchase; every other column is a property. Empty cells are left out.
/// </summary>
public static class EventRows
{
    public static readonly string[] Envelope = ["event_id", "type", "user_id", "anonymous_id", "timestamp"];

    private static readonly HashSet<string> Numbers = new(StringComparer.Ordinal) { "price", "quantity", "revenue" };
    private static readonly HashSet<string> ItemColumns = new(StringComparer.Ordinal) { "item_id", "category", "price", "quantity" };

    /// <summary>The JSON of one event from its rows (one, or several for a purchase with several items).</summary>
    /// <param name="header">Column names, in the order of each row's cells.</param>
    public static byte[] ToJson(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("an event needs at least one row", nameof(rows));
        var first = rows[0];
        var isPurchase = Cell(header, first, "type") == "purchase";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var name in Envelope)
                if (Cell(header, first, name) is { } value) w.WriteString(name, value);

            var traits = Columns(header, first, "trait.").ToList();
            if (traits.Count > 0)
            {
                w.WriteStartObject("traits");
                foreach (var (name, value) in traits) w.WriteString(name, value);
                w.WriteEndObject();
            }

            w.WriteStartObject("properties");
            for (var i = 0; i < header.Count; i++)
            {
                var name = header[i];
                if (Array.IndexOf(Envelope, name) >= 0 || name.Contains('.') || (isPurchase && ItemColumns.Contains(name))) continue;
                if (At(first, i) is { } value) WriteValue(w, name, value, booleans: false);
            }

            var purposes = Columns(header, first, "purpose.").ToList();
            if (purposes.Count > 0)
            {
                w.WriteStartObject("purposes");
                foreach (var (name, value) in purposes) WriteValue(w, name, value, booleans: true);
                w.WriteEndObject();
            }

            if (isPurchase && rows.Any(r => Cell(header, r, "item_id") is not null))
            {
                w.WriteStartArray("items");
                foreach (var row in rows.Where(r => Cell(header, r, "item_id") is not null))
                {
                    w.WriteStartObject();
                    foreach (var name in ItemColumns)
                        if (Cell(header, row, name) is { } value) WriteValue(w, name, value, booleans: false);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Numbers where the contract wants numbers (price, quantity, revenue) and booleans for purposes, when
    /// the cell reads as one; otherwise the text as it is, for the parser to judge (and reject with the field's name).</summary>
    private static void WriteValue(Utf8JsonWriter w, string name, string value, bool booleans)
    {
        if (Numbers.Contains(name) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            w.WriteNumber(name, number);
        else if (booleans && bool.TryParse(value, out var flag)) w.WriteBoolean(name, flag);
        else w.WriteString(name, value);
    }

    private static IEnumerable<(string Name, string Value)> Columns(IReadOnlyList<string> header, IReadOnlyList<string> row, string prefix)
    {
        for (var i = 0; i < header.Count; i++)
            if (header[i].StartsWith(prefix, StringComparison.Ordinal) && At(row, i) is { } value) yield return (header[i][prefix.Length..], value);
    }

    public static string? Cell(IReadOnlyList<string> header, IReadOnlyList<string> row, string name)
    {
        for (var i = 0; i < header.Count; i++)
            if (header[i] == name) return At(row, i);
        return null;
    }

    private static string? At(IReadOnlyList<string> row, int i) => i < row.Count && row[i].Length > 0 ? row[i] : null;
}
