using System.CommandLine;
using System.Text;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Palettes.Profile;

namespace DmpActors.Cli.Palettes.Campaign;

/// <summary>The <c>campaign</c> palette: campaign definitions in the catalogue (list, show with history, put from a JSON
/// file, pause, resume, delete), through /v1/campaigns.</summary>
public static class CampaignPalette
{
    private static readonly Argument<string> Id = new("id") { Description = "Campaign id (letters, digits, '-', '_' and '.')" };

    private static readonly Option<FileInfo> File = new("--file", "-f")
    {
        Description = "The definition as JSON (docs/campaigns.md#a-definition); - reads stdin",
        Required = true,
    };

    public static Command Create() => new Command("campaign", "Campaign definitions and their offers: list, show, put, pause, resume, stats, delete")
    {
        new Command("list", "Every live campaign with its version, state, trigger and variants").Calls(List),
        new Command("show", "One campaign's definition and its version history") { Id }.Calls(Show),
        new Command("put", "Define a campaign from a JSON file: a new version when the definition changes") { Id, File }.Calls(Put),
        new Command("pause", "Pause a campaign: it decides nothing until resumed") { Id }.Calls((n, p, o, ct) => Pause(n, p, o, "pause", ct)),
        new Command("resume", "Resume a paused campaign") { Id }.Calls((n, p, o, ct) => Pause(n, p, o, "resume", ct)),
        new Command("stats", "Offers sent in all and per variant, and the budget left") { Id }.Calls(Stats),
        new Command("delete", "Delete a campaign (its history is kept; defining it again starts the next version)") { Id }.Calls(Delete),
    }.WithConnection();

    private static string PathOf(ParseResult parseResult) => "v1/campaigns/" + Uri.EscapeDataString(parseResult.GetValue(Id)!);

    private static string Cell(JsonElement json, string name) => json.TryGetProperty(name, out var v) ? ProfilePalette.Cell(v) : "-";

    private static string State(JsonElement definition) =>
        definition.TryGetProperty("paused", out var p) && p.GetBoolean() ? "paused" : "active";

    private static string Trigger(JsonElement definition)
    {
        var trigger = definition.GetProperty("trigger");
        return $"{Cell(trigger, "kind")} {Cell(trigger, "target")}";
    }

    private static string Variants(JsonElement definition) =>
        string.Join(",", definition.GetProperty("variants").EnumerateArray().Select(v => Cell(v, "id")));

    private static async Task<int> List(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var list = await node.GetAsync<JsonElement>("v1/campaigns", ct);
        var rows = list.GetProperty("campaigns").EnumerateArray().Select(c => c.GetProperty("definition") is var d
                ? (IReadOnlyList<string>)[Cell(c, "id"), "v" + Cell(c, "version"), State(d), Trigger(d), Variants(d), Cell(d, "budget"), Cell(d, "name")]
                : [])
            .ToList();
        if (rows.Count > 0) await output.WriteLineAsync(Table.Format([["ID", "VERSION", "STATE", "TRIGGER", "VARIANTS", "BUDGET", "NAME"], .. rows]));
        await output.WriteLineAsync($"Count: {rows.Count} {(rows.Count == 1 ? "campaign" : "campaigns")} (catalogue revision {Cell(list, "revision")})");
        return 0;
    }

    private static async Task<int> Show(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var campaign = await node.GetAsync<JsonElement>(PathOf(parseResult), ct);
        var d = campaign.GetProperty("definition");
        await output.WriteLineAsync(Table.Format(
        [
            ["id", Cell(campaign, "id")], ["version", Cell(campaign, "version")], ["state", State(d)], ["name", Cell(d, "name")],
            ["trigger", Trigger(d)], ["audience", Cell(d, "audience")], ["variants", Variants(d)], ["allocation", Cell(d, "allocation")],
            ["holdout_percent", Cell(d, "holdout_percent")], ["caps", Cell(d, "caps")], ["quiet_hours", Cell(d, "quiet_hours")],
            ["starts_at", Cell(d, "starts_at")], ["ends_at", Cell(d, "ends_at")], ["budget", Cell(d, "budget")], ["priority", Cell(d, "priority")],
            ["defined_at", Cell(campaign, "defined_at")],
        ]));
        await output.WriteLineAsync();
        await output.WriteLineAsync("History:");
        var history = campaign.GetProperty("history").EnumerateArray()
            .Select(v => (IReadOnlyList<string>)["v" + Cell(v, "version"), Cell(v, "defined_at"), v.GetProperty("deleted").GetBoolean() ? "deleted" : ""]);
        await output.WriteLineAsync(Table.Format([["VERSION", "DEFINED", ""], .. history]));
        return 0;
    }

    private static async Task<int> Put(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var file = parseResult.GetValue(File)!;
        var body = await DefinitionFile.ReadAsync(file, ct);

        var put = await node.PutAsync<JsonElement>(PathOf(parseResult), new StringContent(body, Encoding.UTF8, "application/json"), ct);
        await Changed(put, output);
        return 0;
    }

    private static async Task<int> Pause(AdminClient node, ParseResult parseResult, TextWriter output, string verb, CancellationToken ct)
    {
        await Changed(await node.PostAsync<JsonElement>($"{PathOf(parseResult)}/{verb}", null, ct), output);
        return 0;
    }

    private static async Task Changed(JsonElement reply, TextWriter output)
    {
        var campaign = reply.GetProperty("campaign");
        var outcome = Cell(reply, "outcome");
        var d = campaign.GetProperty("definition");
        await output.WriteLineAsync(
            $"{char.ToUpperInvariant(outcome[0])}{outcome[1..]}: {Cell(campaign, "id")} v{Cell(campaign, "version")} ({State(d)}) {Trigger(d)}");
    }

    private static async Task<int> Stats(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var stats = await node.GetAsync<JsonElement>(PathOf(parseResult) + "/stats", ct);
        var rows = stats.GetProperty("variants").EnumerateArray()
            .Select(v => (IReadOnlyList<string>)[Cell(v, "id"), Cell(v, "offers"), $"{v.GetProperty("share").GetDouble():P1}"]);
        await output.WriteLineAsync(Table.Format([["VARIANT", "OFFERS", "SHARE"], .. rows]));
        await output.WriteLineAsync($"Offers: {Cell(stats, "offers")}, budget {Cell(stats, "budget")}, left {Cell(stats, "budget_left")}");
        return 0;
    }

    private static async Task<int> Delete(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var deleted = await node.SendAsync<JsonElement>(HttpMethod.Delete, PathOf(parseResult), ct);
        await output.WriteLineAsync($"Deleted: {Cell(deleted, "id")} (tombstone v{Cell(deleted, "version")})");
        return 0;
    }
}
