using System.CommandLine;
using DmpActors.Cli.Import;
using DmpActors.Cli.Loadgen;
using DmpActors.Cli.Palettes.Actor;
using DmpActors.Cli.Palettes.Bench;
using DmpActors.Cli.Palettes.Campaign;
using DmpActors.Cli.Palettes.Cluster;
using DmpActors.Cli.Palettes.Items;
using DmpActors.Cli.Palettes.Keys;
using DmpActors.Cli.Palettes.ClusterSharding;
using DmpActors.Cli.Palettes.Profile;
using DmpActors.Cli.Palettes.Webhook;
using DmpActors.Cli.Quality;
using DmpActors.Cli.Palettes.Segment;
using DmpActors.Cli.Palettes.Model;

namespace DmpActors.Cli;

/// <summary>
/// dmpctl: one palette (sub-command tree) per folder under Palettes/; this is the only place that knows them all.
/// A new palette is a static Create() returning its Command (with .WithConnection() if it calls a node), added here.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BuildRootCommand().Parse(args).InvokeAsync();

    public static RootCommand BuildRootCommand() => Joined(new("dmpctl — operate and exercise the DmpActors data management platform."),
    [
        ClusterPalette.Create(),
        ClusterShardingPalette.Create(),
        ActorPalette.Create(),
        ProfilePalette.Create(),
        SegmentAudiencePalette.AddTo(SegmentPalette.Create()),
        LoadgenCommand.Create(),
        ImportCommand.Create(),
        QualityCommand.Create(),
        BenchPalette.Create(),
        KeysPalette.Create(),
        ItemsPalette.Create(),
        WebhookPalette.Create(),
        ModelPalette.Create(),
        CampaignPalette.Create(),
    ]);

    /// <summary>Palettes that share a name are one palette: the first keeps its description, and gains the commands and
    /// options of the others (several folders may each add commands to, say, <c>segment</c>).</summary>
    public static RootCommand Joined(RootCommand root, IEnumerable<Command> palettes)
    {
        foreach (var same in palettes.GroupBy(p => p.Name))
        {
            var palette = same.First();
            foreach (var other in same.Skip(1))
            {
                foreach (var command in other.Subcommands.ToList())
                {
                    other.Subcommands.Remove(command); // a command with two parents finds recursive options (--help) through the wrong one
                    palette.Subcommands.Add(command);
                }
                foreach (var option in other.Options.Where(o => !palette.Options.Contains(o))) palette.Options.Add(option);
            }
            root.Subcommands.Add(palette);
        }
        return root;
    }
}
