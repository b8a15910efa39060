using System.CommandLine;
using DmpActors.Cli.Loadgen;

namespace DmpActors.Cli;

/// <summary>
/// dmpctl: one palette (sub-command tree) per file; this is the only place that knows them all.
/// Later palettes (cluster, profile, bench) are added to <see cref="BuildRootCommand"/>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BuildRootCommand().Parse(args).InvokeAsync();

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("dmpctl — operate and exercise the DmpActors data management platform.");
        root.Add(LoadgenCommand.Create());
        root.Add(Palettes.Bench.BenchPalette.Create());
        return root;
    }
}
