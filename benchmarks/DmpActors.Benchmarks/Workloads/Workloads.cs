using System.Diagnostics;
using BenchmarkDotNet.Running;
using DmpActors.Benchmarks.Infra;
using DmpActors.Benchmarks.Micro;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>Dispatches a workload by name; <c>all</c> runs each in turn and reports how long the whole set took.</summary>
public static class Workloads
{
    /// <summary>What <c>--quick</c> means per workload: sizes that keep <c>all --quick</c> under 10 minutes on 2 cores.</summary>
    private static readonly Dictionary<string, string[]> QuickArgs = new()
    {
        ["ysb"] = ["--quick"],
        ["ingest"] = ["--events", "200000", "--users", "20000"],
        ["actors"] = ["--events", "200000", "--users", "20000"],
        ["memory"] = ["--users", "100000"],
        ["merge"] = ["--merges", "300"],
        ["latency"] = ["--seconds", "8", "--burst", "60000"],
        ["profile-memory"] = ["--users", "2000"],
        ["kafka"] = ["--records", "100000", "--seconds", "5"],
        ["peers"] = ["--events", "100000", "--users", "10000"],
        ["models"] = ["--samples", "100000"],
        ["alloc"] = ["--events", "200000", "--users", "20000"],
    };

    public static async Task<int> RunAsync(string workload, string[] args, string usage)
    {
        var quick = args.Contains("--quick");
        if (quick && workload is not ("ysb" or "all")) args = [.. QuickArgs[Canonical(workload)], .. args.Where(a => a != "--quick")];
        var command = "dotnet run -c Release --project benchmarks/DmpActors.Benchmarks -- " +
                      string.Join(' ', new[] { workload }.Concat(args).Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        switch (Canonical(workload))
        {
            case "ysb": return await YsbWorkload.RunAsync(new Args(args), command);
            case "ingest": return await E2eWorkload.RunAsync(new Args(args), command);
            case "actors": return await ActorsWorkload.RunAsync(new Args(args), command);
            case "memory": return await MemoryWorkload.RunAsync(new Args(args), command);
            case "merge": return await MergeWorkload.RunAsync(new Args(args), command);
            case "latency": return await LatencyWorkload.RunAsync(new Args(args), command);
            case "profile-memory": return ProfileMemory.Run(new Args(args), command);
            case "kafka": return await KafkaWorkload.RunAsync(new Args(args), command);
            case "peers": return await Peers.PeersWorkload.RunAsync(new Args(args), command);
            case "alloc": return await AllocationWorkload.RunAsync(new Args(args), command);
            case "recommendations": return await RecommendationsWorkload.RunAsync(new Args(args), command);
            case "models": return await ModelsWorkload.RunAsync(new Args(args), command);
            case "micro":
                var summaries = BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
                MicroReport.Write(summaries, command);
                return 0;
            case "all": return await AllAsync(args);
            default:
                Console.Error.WriteLine($"unknown workload '{workload}'");
                Console.Error.WriteLine(usage);
                return 1;
        }
    }

    private static string Canonical(string workload) => workload == "e2e" ? "ingest" : workload;

    private static async Task<int> AllAsync(string[] args)
    {
        var parsed = new Args(args);
        var quick = parsed.Flag("quick");
        parsed.EnsureAllKnown();
        var total = Stopwatch.StartNew();
        var failed = new List<string>();
        foreach (var workload in QuickArgs.Keys)
        {
            Console.WriteLine($"==== {workload} ({total.Elapsed:mm\\:ss} elapsed) ====");
            // Each workload in its own process: no heap, GC history or actor-system leftovers from the one before.
            using var child = Process.Start(ChildProcess.Of(quick ? [workload, "--quick"] : [workload]))!;
            await child.WaitForExitAsync();
            var code = child.ExitCode;
            if (code != 0) failed.Add($"{workload} (exit {code})");
        }
        Console.WriteLine($"all{(quick ? " --quick" : "")}: {total.Elapsed:mm\\:ss} for {string.Join(", ", QuickArgs.Keys)}" +
                          (failed.Count == 0 ? "" : $"; failed: {string.Join(", ", failed)}"));
        return failed.Count == 0 ? 0 : 2;
    }
}
