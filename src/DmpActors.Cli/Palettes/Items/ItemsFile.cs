using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace DmpActors.Cli.Palettes.Items;

/// <summary>
/// Reads catalogue items: JSON lines (<c>{"id":…,"title":…,"category":…,"price":…,"tags":[…],"available":…}</c>) or CSV
/// with a header naming the columns <c>id,title,category,price,tags,available</c> (only <c>id</c> is required; tags
/// separated by <c>|</c>). A line that cannot be read is counted with its reason; the node judges the rest.
/// </summary>
public static class ItemsFile
{
    public sealed record Item(string Id, string? Title, string? Category, decimal? Price, IReadOnlyList<string>? Tags, bool? Available);

    public sealed record Refused(long Line, string Reason);

    public sealed record Contents(IReadOnlyList<Item> Items, IReadOnlyList<Refused> Refusals);

    public static Contents Read(string path)
    {
        using var stream = File.OpenRead(path);
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(stream) : ReadJsonLines(stream);
    }

    private static Contents ReadJsonLines(Stream stream)
    {
        var items = new List<Item>();
        var refused = new List<Refused>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var json = JsonDocument.Parse(line).RootElement;
                if (json.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
                items.Add(new Item(
                    Text(json, "id") ?? throw new FormatException("no id"),
                    Text(json, "title"), Text(json, "category"),
                    json.TryGetProperty("price", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDecimal() : null,
                    json.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : null,
                    json.TryGetProperty("available", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : null));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
            {
                refused.Add(new Refused(number, ex.Message));
            }
        }

        return new Contents(items, refused);
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Contents ReadCsv(Stream stream)
    {
        var items = new List<Item>();
        var refused = new List<Refused>();
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { FormatProvider = CultureInfo.InvariantCulture, TrackLineNumbers = true }, false);
        csv.ReadHeader();
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (Array.IndexOf(header, "id") < 0) throw new FormatException($"a CSV of items needs an id column (it has {string.Join(",", header)})");
        while (csv.Read())
        {
            var row = Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray();
            string? Cell(string column) => Array.IndexOf(header, column) is var i and >= 0 && i < row.Length && row[i].Length > 0 ? row[i] : null;
            var id = Cell("id");
            if (id is null)
            {
                refused.Add(new Refused(csv.LineNumber, "no id"));
                continue;
            }

            decimal? price = null;
            if (Cell("price") is { } priceText)
            {
                if (!decimal.TryParse(priceText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
                {
                    refused.Add(new Refused(csv.LineNumber, $"price '{priceText}' is not a number"));
                    continue;
                }

                price = parsed;
            }

            bool? available = null;
            if (Cell("available") is { } availableText)
            {
                if (!bool.TryParse(availableText, out var parsed) && !(availableText is "0" or "1"))
                {
                    refused.Add(new Refused(csv.LineNumber, $"available '{availableText}' is not true or false"));
                    continue;
                }

                available = availableText is "0" or "1" ? availableText == "1" : parsed;
            }

            var tags = Cell("tags")?.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            items.Add(new Item(id, Cell("title"), Cell("category"), price, tags, available));
        }

        return new Contents(items, refused);
    }
}
