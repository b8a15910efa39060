using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using DmpActors.Domain.Events;
using DmpActors.Domain.Import;

namespace DmpActors.Cli.Import;

/// <summary>Reads a user's own history: JSON lines in the event contract, or CSV in the column mapping of
/// docs/import.md. Every event is judged by the event parser; rejected ones are counted by reason.</summary>
public static class EventsFile
{
    /// <summary>A line the parser refused, with its 1-based line number in the file.</summary>
    public sealed record Rejected(long Line, Rejection Rejection);

    public sealed record Contents(IReadOnlyList<UserEvent> Events, IReadOnlyList<Rejected> Rejections);

    public static Contents Read(string path, DateTimeOffset now)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        var plain = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return plain.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(stream, now) : ReadJsonLines(stream, now);
    }

    private static Contents ReadJsonLines(Stream stream, DateTimeOffset now)
    {
        var events = new List<UserEvent>();
        var rejected = new List<Rejected>();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Judge(EventParser.Parse(Encoding.UTF8.GetBytes(line), now), number, events, rejected);
        }

        return new Contents(events, rejected);
    }

    private static Contents ReadCsv(Stream stream, DateTimeOffset now)
    {
        var events = new List<UserEvent>();
        var rejected = new List<Rejected>();
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { FormatProvider = CultureInfo.InvariantCulture, TrackLineNumbers = true }, false);
        csv.ReadHeader();
        var header = csv.Headers.ToArray();
        if (Array.IndexOf(header, "event_id") < 0 || Array.IndexOf(header, "type") < 0)
            throw new FormatException($"a CSV of events needs at least the columns event_id and type (it has {string.Join(",", header)})");

        var rows = new List<IReadOnlyList<string>>();
        long firstLine = 0;
        while (csv.Read())
        {
            var row = Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray();
            if (rows.Count > 0 && EventRows.Cell(header, row, "event_id") != EventRows.Cell(header, rows[0], "event_id")) Flush();
            if (rows.Count == 0) firstLine = csv.LineNumber;
            rows.Add(row);
        }

        if (rows.Count > 0) Flush();
        return new Contents(events, rejected);

        void Flush()
        {
            Judge(EventParser.Parse(EventRows.ToJson(header, rows), now), firstLine, events, rejected);
            rows.Clear();
        }
    }

    private static void Judge(ParseResult result, long line, List<UserEvent> events, List<Rejected> rejected)
    {
        if (result.IsValid) events.Add(result.Event);
        else rejected.Add(new Rejected(line, result.Rejection));
    }
}
