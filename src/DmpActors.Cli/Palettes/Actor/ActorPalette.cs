using System.CommandLine;
using DmpActors.Cli.Admin;

namespace DmpActors.Cli.Palettes.Actor;

/// <summary>The <c>actor</c> palette (pbm's names): what lives in the connected node's actor system.</summary>
public static class ActorPalette
{
    private static readonly Option<string> Start = new("--start", "-s")
    {
        Description = "Path to start from, e.g. /user or /system/sharding/user",
        DefaultValueFactory = _ => "/user",
        HelpName = "path",
    };

    private static readonly Option<int> Depth = new("--depth", "-d")
    {
        Description = "How many levels below the start path (1..10)",
        DefaultValueFactory = _ => 2,
    };

    static ActorPalette() => Depth.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() is < 1 or > 10) result.AddError("--depth must be within 1..10");
    });

    public static Command Create() => new Command("actor", "Actors: hierarchy")
    {
        new Command("hierarchy", "Actor paths under a path, depth first") { Start, Depth }.Calls(Hierarchy),
    }.WithConnection();

    private static async Task<int> Hierarchy(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var path = Uri.EscapeDataString(parseResult.GetValue(Start)!);
        var hierarchy = await node.GetAsync<ActorHierarchy>($"admin/v1/actors?path={path}&depth={parseResult.GetValue(Depth)}", ct);
        foreach (var actor in hierarchy.Actors) await output.WriteLineAsync(actor);
        if (hierarchy.Truncated)
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                $"dmpctl: stopped after {hierarchy.Actors.Count:N0} actors; narrow --start or --depth");
        return 0;
    }
}
