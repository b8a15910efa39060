using System.Globalization;
using System.IO.Compression;
using CsvHelper;
using DmpActors.Domain.Import;

namespace DmpActors.Cli.Import;

/// <summary>Reads the Online Retail CSV (plain or .gz) into invoices in event-time order.</summary>
public static class OnlineRetailFile
{
    /// <summary>One invoice's lines, in file order, with its position in the file (ties in time keep file order).</summary>
    public sealed record Invoice(string InvoiceNo, DateTime LocalTime, IReadOnlyList<OnlineRetailLine> Lines);

    private static readonly string[] Columns = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

    private static readonly string[] DateFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "M/d/yyyy H:mm"];

    /// <summary>Every invoice with a local time on or before <paramref name="until"/> (a date, inclusive) when given,
    /// ordered by time and then by first appearance in the file.</summary>
    public static IReadOnlyList<Invoice> Read(string path, DateOnly? until = null)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { FormatProvider = CultureInfo.InvariantCulture, TrackLineNumbers = true }, false);
        csv.ReadHeader();
        var at = Columns.Select(name => csv.TryGetFieldIndex(name, out var index)
            ? index
            : throw new FormatException($"{path} has no {name} column (expected {string.Join(",", Columns)})")).ToArray();

        var invoices = new Dictionary<string, List<OnlineRetailLine>>(StringComparer.Ordinal);
        var order = new List<string>();
        while (csv.Read())
        {
            var line = ReadLine(csv, at, path);
            if (until is { } last && DateOnly.FromDateTime(line.InvoiceDate) > last) continue;
            if (!invoices.TryGetValue(line.InvoiceNo, out var lines))
            {
                invoices[line.InvoiceNo] = lines = [];
                order.Add(line.InvoiceNo);
            }

            lines.Add(line);
        }

        return order
            .Select(no => new Invoice(no, invoices[no][0].InvoiceDate, invoices[no]))
            .OrderBy(i => i.LocalTime) // stable: equal times keep file order
            .ToList();
    }

    private static OnlineRetailLine ReadLine(CsvReader csv, int[] at, string path)
    {
        try
        {
            return new OnlineRetailLine(
                csv.GetString(at[0]),
                csv.GetString(at[1]),
                csv.GetStringOrNull(at[2]),
                csv.Parse<int>(at[3]),
                DateTime.ParseExact(csv.GetString(at[4]), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None),
                csv.Parse<decimal>(at[5]),
                csv.GetStringOrNull(at[6]) is { Length: > 0 } customer ? customer : null,
                csv.GetStringOrNull(at[7]));
        }
        catch (Exception e) when (e is FormatException or OverflowException or CsvFormatException)
        {
            throw new FormatException($"{path}, line {csv.LineNumber}: {e.Message}", e);
        }
    }
}
