using System.CommandLine;
using System.Text.Json;
using DmpActors.Cli.Admin;

namespace DmpActors.Cli.Palettes.Profile;

/// <summary>The <c>profile</c> palette: one user's live profile, its GDPR export, erasure, and the isolated profiles.</summary>
public static class ProfilePalette
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly Argument<string> Id = new("id") { Description = "User id or anonymous id" };

    public static Command Create() => new Command("profile", "User profiles: show, export, erase, isolated")
    {
        new Command("show", "The live profile, one field per line") { Id }.Calls(Show),
        new Command("export", "Everything stored about the user, as JSON (GDPR access request)") { Id }.Calls(Export),
        new Command("erase", "Erase the user's profile and identifiers (GDPR erasure)") { Id }.Calls(Erase),
        new Command("isolated", "Profiles the node isolated because they cannot be decoded or written, with the reason").Calls(Isolated),
    }.WithConnection();

    private static string PathOf(ParseResult parseResult) => "v1/profiles/" + Uri.EscapeDataString(parseResult.GetValue(Id)!);

    private static async Task<int> Show(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        await output.WriteLineAsync(Fields(await node.GetAsync<JsonElement>(PathOf(parseResult), ct)));
        return 0;
    }

    private static string Fields(JsonElement json) =>
        Table.Format(json.EnumerateObject().Select(p => (IReadOnlyList<string>)[p.Name, Cell(p.Value)]));

    /// <summary>Scalars as text, structures as compact JSON, so every field stays on one line.</summary>
    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    private static async Task<int> Export(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var export = await node.GetAsync<JsonElement>(PathOf(parseResult) + "/export", ct);
        await output.WriteLineAsync(JsonSerializer.Serialize(export, Indented));
        return 0;
    }

    private static async Task<int> Erase(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var erasure = await node.SendAsync<JsonElement>(HttpMethod.Delete, PathOf(parseResult), ct);
        await output.WriteLineAsync($"Erased: {parseResult.GetValue(Id)}");
        if (erasure.ValueKind == JsonValueKind.Object) await output.WriteLineAsync(Fields(erasure));
        return 0;
    }

    private static async Task<int> Isolated(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var isolated = await node.GetAsync<JsonElement>("admin/v1/profiles/isolated", ct);
        var rows = isolated.GetProperty("profiles").EnumerateArray()
            .Select(p => (IReadOnlyList<string>)[Cell(p.GetProperty("user_id")), Cell(p.GetProperty("kind")), Cell(p.GetProperty("since")), Cell(p.GetProperty("reason"))])
            .ToList();
        if (rows.Count == 0)
        {
            await output.WriteLineAsync("No isolated profiles.");
            return 0;
        }
        await output.WriteLineAsync(Table.Format([["USER", "KIND", "SINCE", "REASON"], .. rows]));
        return 0;
    }
}
