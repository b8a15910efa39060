using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DmpActors.Cli.Admin;

namespace DmpActors.Cli.Palettes.Segment;

/// <summary>The <c>segment</c> palette's audience commands: a segment's members (listed or exported) and the backfill's
/// progress. Program joins them with the definition commands of the same palette.</summary>
public static class SegmentAudiencePalette
{
    private static readonly Argument<string> Id = new("id") { Description = "Segment id" };

    private static readonly Option<string?> Format = new("--format")
    {
        Description = "Export the whole audience as csv or jsonl (default: one user id per line)",
        HelpName = "csv|jsonl",
    };

    private static readonly Option<FileInfo?> Out = new("--out") { Description = "Write to this file instead of the terminal", HelpName = "file" };

    private static readonly Option<bool> Once = new("--once") { Description = "Print one progress line and exit, even while the walk runs" };

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    static SegmentAudiencePalette() => Format.AcceptOnlyFromAmong("csv", "jsonl");

    public static Command Create() => AddTo(new Command("segment", "Segments: members, backfill").WithConnection());

    /// <summary>Adds the audience commands to <paramref name="palette"/> (the segment palette of the definitions), each
    /// created for it: a command reaches recursive options such as --help through its one parent.</summary>
    public static Command AddTo(Command palette)
    {
        palette.Subcommands.Add(new Command("members", "The segment's members from the store's member index, in id order") { Id, Format, Out }.Calls(Members));
        palette.Subcommands.Add(new Command("backfill", "Progress of the walk that applies the current definitions to every stored user, a line a second until it ends") { Once }.Calls(Backfill));
        return palette;
    }

    private static string PathOf(ParseResult parseResult) => "v1/segments/" + Uri.EscapeDataString(parseResult.GetValue(Id)!) + "/members";

    private static async Task<int> Members(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var file = parseResult.GetValue(Out);
        await using var target = file is null ? null : new StreamWriter(file.FullName);
        var writer = target ?? output;
        var format = parseResult.GetValue(Format);
        var members = format is null ? await WriteIdsAsync(node, PathOf(parseResult), writer, ct) : await CopyExportAsync(node, PathOf(parseResult), format, writer, ct);
        if (file is not null) await output.WriteLineAsync($"Wrote {members} members of {parseResult.GetValue(Id)} to {file.FullName}");
        return 0;
    }

    /// <summary>Page by page through the cursor, one id per line.</summary>
    private static async Task<long> WriteIdsAsync(AdminClient node, string path, TextWriter writer, CancellationToken ct)
    {
        long written = 0;
        for (var url = path + "?limit=10000"; ;)
        {
            var page = await node.GetAsync<JsonElement>(url, ct);
            foreach (var member in page.GetProperty("members").EnumerateArray())
            {
                await writer.WriteLineAsync(member.GetString());
                written++;
            }
            if (page.GetProperty("next").GetString() is not { } next) return written;
            url = $"{path}?limit=10000&cursor={Uri.EscapeDataString(next)}";
        }
    }

    /// <summary>The node's export as it streams; counts its lines (the CSV header aside).</summary>
    private static async Task<long> CopyExportAsync(AdminClient node, string path, string format, TextWriter writer, CancellationToken ct)
    {
        using var response = await node.GetStreamingAsync($"{path}?format={format}", ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long lines = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            await writer.WriteLineAsync(line);
            lines++;
        }
        return format == "csv" ? Math.Max(0, lines - 1) : lines;
    }

    private static async Task<int> Backfill(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        while (true)
        {
            var progress = await node.GetAsync<JsonElement>("v1/segments/backfill", ct);
            await output.WriteLineAsync(ProgressLine(progress));
            if (parseResult.GetValue(Once) || progress.GetProperty("state").GetString() != "running") return 0;
            await Task.Delay(ProgressInterval, ct);
        }
    }

    /// <summary>"revision 7 | running | 41000/120000 (34.2 %) | 998.6 users/s | 812 changes | 0 failed | started 2026-12-04T19:02:11Z".</summary>
    public static string ProgressLine(JsonElement progress)
    {
        var state = progress.GetProperty("state").GetString();
        if (state == "idle") return "idle | no segment set has been published since the backfill started";
        var done = progress.GetProperty("done").GetInt64();
        var total = progress.GetProperty("total").GetInt64();
        var share = total == 0 ? 100 : 100.0 * done / total;
        IReadOnlyList<string> cells =
        [
            $"revision {progress.GetProperty("revision").GetInt64()}",
            state ?? "",
            string.Create(CultureInfo.InvariantCulture, $"{done}/{total} ({share:0.0} %)"),
            string.Create(CultureInfo.InvariantCulture, $"{progress.GetProperty("users_per_second").GetDouble():0.0} users/s"),
            $"{progress.GetProperty("changes").GetInt64()} changes",
            $"{progress.GetProperty("failed").GetInt64()} failed",
            $"started {progress.GetProperty("started_at").GetDateTimeOffset().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}",
        ];
        return Table.Format([cells]);
    }
}
