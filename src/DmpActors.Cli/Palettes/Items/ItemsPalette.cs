using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Palettes.Profile;

namespace DmpActors.Cli.Palettes.Items;

/// <summary>The <c>items</c> palette: import a catalogue file, show one item, list items.</summary>
public static class ItemsPalette
{
    public const int Batch = 500;

    private static readonly Argument<string> File = new("file") { Description = "JSON lines (.jsonl) or CSV (.csv) of items" };
    private static readonly Argument<string> Id = new("id") { Description = "Item id" };
    private static readonly Option<int> Limit = new("--limit") { Description = "Items to list", DefaultValueFactory = _ => 50 };

    public static Command Create() => new Command("items", "The item catalogue: import, show, list")
    {
        new Command("import", $"Import items from a file, {Batch} per request, with progress and a summary") { File }.Calls(Import),
        new Command("show", "One item, catalogued or learned from events") { Id }.Calls(Show),
        new Command("list", "Items by id") { Limit }.Calls(List),
    }.WithConnection();

    private static async Task<int> Import(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var path = parseResult.GetValue(File)!;
        var contents = ItemsFile.Read(path);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var lastProgress = TimeSpan.Zero;
        foreach (var chunk in contents.Items.Chunk(Batch))
        {
            await node.PostAsync<JsonElement>("v1/items", chunk, ct);
            sent += chunk.Length;
            if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1) || sent == contents.Items.Count)
            {
                lastProgress = clock.Elapsed;
                await output.WriteLineAsync($"{sent}/{contents.Items.Count} items stored ({sent / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):0}/s)");
            }
        }

        await output.WriteLineAsync($"Imported {sent} items from {Path.GetFileName(path)} in {clock.Elapsed.TotalSeconds:0.0} s; {contents.Refusals.Count} lines refused");
        foreach (var r in contents.Refusals.Take(10)) await output.WriteLineAsync($"  line {r.Line}: {r.Reason}");
        return contents.Refusals.Count == 0 ? 0 : AdminClient.ExitFailed;
    }

    private static async Task<int> Show(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var item = await node.GetAsync<JsonElement>("v1/items/" + Uri.EscapeDataString(parseResult.GetValue(Id)!), ct);
        await output.WriteLineAsync(Table.Format(item.EnumerateObject().Select(p => (IReadOnlyList<string>)[p.Name, ProfilePalette.Cell(p.Value)])));
        return 0;
    }

    private static async Task<int> List(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var page = await node.GetAsync<JsonElement>($"v1/items?limit={Math.Clamp(parseResult.GetValue(Limit), 1, 1000)}", ct);
        var rows = page.GetProperty("items").EnumerateArray().Select(i => (IReadOnlyList<string>)
            [Cell(i, "id"), Cell(i, "category"), Cell(i, "price"), Cell(i, "available"), Cell(i, "learned"), Cell(i, "title")]).ToList();
        await output.WriteLineAsync(Table.Format([["ID", "CATEGORY", "PRICE", "AVAILABLE", "LEARNED", "TITLE"], .. rows]));
        return 0;
    }

    private static string Cell(JsonElement item, string name) => ProfilePalette.Cell(item.GetProperty(name));
}
