using System.CommandLine;
using System.Diagnostics;

namespace DmpActors.Cli.Palettes.Bench;

/// <summary>
/// <c>dmpctl bench &lt;workload&gt;</c>: runs the benchmarks program (benchmarks/DmpActors.Benchmarks), which does the
/// work; dmpctl stays HTTP-only and never loads the engine. Options after the workload are passed through.
/// </summary>
public static class BenchPalette
{
    public const int ExitCannotLaunch = 3;

    public static readonly string[] Workloads = ["ysb", "ingest", "actors", "memory", "latency", "peers", "recommendations", "micro", "all"];

    private static readonly Argument<string> Workload = new("workload")
    {
        Description = "ysb | ingest | actors | memory | latency | peers | micro | all (every workload but micro)",
    };

    private static readonly Option<bool> Quick = new("--quick")
    {
        Description = "Small sizes and short runs (all --quick regenerates docs/benchmarks.md in under 10 minutes on 2 cores)",
    };

    private static readonly Option<string?> BenchDll = new("--bench-dll")
    {
        Description = "Run this built DmpActors.Benchmarks.dll instead of `dotnet run` of the project in the checkout",
        HelpName = "path",
    };

    private static readonly Option<string?> Repo = new("--repo")
    {
        Description = "The DmpActors checkout (default: found above the current directory); results go to its docs/",
        HelpName = "dir",
    };

    public static Command Create()
    {
        Workload.AcceptOnlyFromAmong(Workloads);
        var command = new Command("bench", "Run a benchmark workload and write its results to docs/benchmarks.md and docs/benchmarks/; " +
                                           "other options (e.g. --loads 10000,50000 --seconds 30, --events N, --pg CONN) go to the workload")
        {
            Workload, Quick, BenchDll, Repo,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            BenchLaunch launch;
            try
            {
                launch = Plan(parseResult);
            }
            catch (BenchLaunchException e)
            {
                await error.WriteLineAsync($"dmpctl bench: {e.Message}");
                return ExitCannotLaunch;
            }
            await error.WriteLineAsync($"dmpctl bench: {launch} (in {launch.WorkingDirectory})");
            return await RunAsync(launch, output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>The launch a successful parse asks for, searching for the checkout from the current directory, then from dmpctl's own.</summary>
    public static BenchLaunch Plan(ParseResult parseResult)
    {
        var forwarded = parseResult.UnmatchedTokens.ToList();
        if (parseResult.GetValue(Quick)) forwarded.Add("--quick");
        return BenchLaunch.Resolve(parseResult.GetValue(Workload)!, forwarded, parseResult.GetValue(BenchDll), parseResult.GetValue(Repo),
            [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
    }

    /// <summary>Runs the launch, copying its output line by line; Ctrl+C stops the whole process tree.</summary>
    public static async Task<int> RunAsync(BenchLaunch launch, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(launch.FileName)
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in launch.Arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {launch.FileName}");
        var copyOut = Copy(process.StandardOutput, output);
        var copyErr = Copy(process.StandardError, error);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(copyOut, copyErr);
            return 130;
        }
        await Task.WhenAll(copyOut, copyErr);
        return process.ExitCode;
    }

    private static async Task Copy(StreamReader from, TextWriter to)
    {
        while (await from.ReadLineAsync() is { } line) await to.WriteLineAsync(line);
    }
}
