using BenchmarkDotNet.Running;
using DmpActors.Benchmarks.Infra;
using DmpActors.Benchmarks.Micro;
using DmpActors.Benchmarks.Workloads;

var usage = """
    usage: dotnet run -c Release --project benchmarks/DmpActors.Benchmarks -- <workload> [options]
      e2e     [--events 1000000] [--users 100000] [--partitions 6] [--pg "<admin connection string>"]
              [--checkpoint-ms N] [--max-in-flight N]   (experiments; defaults are the engine's)
      actors  [--events 1000000] [--users 100000] [--window 8192]
      memory  [--users 100000,1000000]
      micro   [BenchmarkDotNet options, e.g. --filter *]
      profile-memory [--users 5000]   (bytes per profile with full behaviour windows)
    """;
if (args.Length == 0) { Console.Error.WriteLine(usage); return 1; }
var command = "dotnet run -c Release --project benchmarks/DmpActors.Benchmarks -- " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
var rest = args.Skip(1).ToArray();
try
{
    switch (args[0])
    {
        case "e2e": return await E2eWorkload.RunAsync(new Args(rest), command);
        case "actors": return await ActorsWorkload.RunAsync(new Args(rest), command);
        case "memory": return await MemoryWorkload.RunAsync(new Args(rest), command);
        case "profile-memory": return ProfileMemory.Run(new Args(rest), command);
        case "micro":
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
            MicroReport.Write(summaries, command);
            return 0;
        default:
            Console.Error.WriteLine(usage);
            return 1;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(usage);
    return 1;
}
