using System.CommandLine;
using System.Text;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Palettes.Profile;

namespace DmpActors.Cli.Palettes.Segment;

/// <summary>The <c>segment</c> palette: segment definitions in the catalogue (list, show with history, put from a
/// file, delete), through /v1/segments.</summary>
public static class SegmentPalette
{
    private static readonly Argument<string> Id = new("id") { Description = "Segment id (lower-case letters, digits, '_' and '-')" };

    private static readonly Option<FileInfo> File = new("--file", "-f")
    {
        Description = "The rule: text, or JSON (a .json file: {\"rule\": text or tree, \"shadow\": bool}, or the tree alone); - reads stdin",
        Required = true,
    };

    private static readonly Option<bool> Shadow = new("--shadow")
    {
        Description = "Define it as a shadow segment: evaluated and counted, its changes not emitted",
    };

    public static Command Create() => new Command("segment", "Segment definitions: list, show, put, delete")
    {
        new Command("list", "Every live segment with its version, shadow flag and rule").Calls(List),
        new Command("show", "One segment's definition and its version history") { Id }.Calls(Show),
        new Command("put", "Define a segment from a file: a new version when the rule or --shadow changes") { Id, File, Shadow }.Calls(Put),
        new Command("delete", "Delete a segment (its history is kept; defining it again starts the next version)") { Id }.Calls(Delete),
    }.WithConnection();

    private static string PathOf(ParseResult parseResult) => "v1/segments/" + Uri.EscapeDataString(parseResult.GetValue(Id)!);

    private static string Cell(JsonElement json, string name) => ProfilePalette.Cell(json.GetProperty(name));

    private static string Shadowed(JsonElement json) => json.GetProperty("shadow").GetBoolean() ? "shadow" : "live";

    private static async Task<int> List(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var list = await node.GetAsync<JsonElement>("v1/segments", ct);
        var rows = list.GetProperty("segments").EnumerateArray()
            .Select(s => (IReadOnlyList<string>)[Cell(s, "id"), "v" + Cell(s, "version"), Shadowed(s), Cell(s, "defined_at"), Cell(s, "rule")])
            .ToList();
        if (rows.Count > 0) await output.WriteLineAsync(Table.Format([["ID", "VERSION", "MODE", "DEFINED", "RULE"], .. rows]));
        await output.WriteLineAsync($"Count: {rows.Count} {(rows.Count == 1 ? "segment" : "segments")} (catalogue revision {Cell(list, "revision")})");
        return 0;
    }

    private static async Task<int> Show(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var segment = await node.GetAsync<JsonElement>(PathOf(parseResult), ct);
        await output.WriteLineAsync(Table.Format(
        [
            ["id", Cell(segment, "id")], ["version", Cell(segment, "version")], ["mode", Shadowed(segment)],
            ["defined_at", Cell(segment, "defined_at")], ["rule", Cell(segment, "rule")], ["rule_json", Cell(segment, "rule_json")],
        ]));
        await output.WriteLineAsync();
        await output.WriteLineAsync("History:");
        var history = segment.GetProperty("history").EnumerateArray()
            .Select(v => (IReadOnlyList<string>)
            [
                "v" + Cell(v, "version"), Cell(v, "defined_at"), v.GetProperty("deleted").GetBoolean() ? "deleted" : Shadowed(v), Cell(v, "rule"),
            ]);
        await output.WriteLineAsync(Table.Format([["VERSION", "DEFINED", "MODE", "RULE"], .. history]));
        return 0;
    }

    private static async Task<int> Put(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var file = parseResult.GetValue(File)!;
        var body = await DefinitionFile.ReadAsync(file, ct);

        var json = file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) || body.TrimStart().StartsWith('{');
        var path = PathOf(parseResult) + (parseResult.GetValue(Shadow) ? "?shadow=true" : "");
        var put = await node.PutAsync<JsonElement>(path, new StringContent(body, Encoding.UTF8, json ? "application/json" : "text/plain"), ct);
        var segment = put.GetProperty("segment");
        var outcome = Cell(put, "outcome");
        await output.WriteLineAsync(
            $"{char.ToUpperInvariant(outcome[0])}{outcome[1..]}: {Cell(segment, "id")} v{Cell(segment, "version")} ({Shadowed(segment)}) {Cell(segment, "rule")}");
        return 0;
    }

    private static async Task<int> Delete(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var deleted = await node.SendAsync<JsonElement>(HttpMethod.Delete, PathOf(parseResult), ct);
        await output.WriteLineAsync($"Deleted: {Cell(deleted, "id")} (tombstone v{Cell(deleted, "version")})");
        return 0;
    }
}
