using DmpActors.Benchmarks.Infra;
using DmpActors.Benchmarks.Workloads;

var usage = """
    usage: dotnet run -c Release --project benchmarks/DmpActors.Benchmarks -- <workload> [options]
           (or: dmpctl bench <workload> [options])
      ysb     [--loads 10000,50000,100000,150000,170000] [--seconds 60] [--quick]
      ingest  [--events 1000000] [--users 100000] [--partitions 6] [--pg "<admin connection string>"] [--quick]
              [--checkpoint-ms N] [--max-in-flight N]   (experiments; defaults are the engine's)   (alias: e2e)
      actors  [--events 1000000] [--users 100000] [--window 8192] [--quick]
      memory  [--users 100000,1000000] [--quick]
      merge   [--merges 2000] [--anonymous-events 20] [--quick]
      latency [--max-rate N] [--seconds 30] [--burst 200000] [--users 1000] [--probes-per-second 200] [--poll-ms 2] [--quick]
              (event produced → profile visible at 25/50/75 % of the max rate, from intended send time)
      kafka   [--records 200000] [--partitions 4] [--rate 5000] [--seconds 10] [--linger-ms 5] [--fetch-wait-ms 100,0] [--only latency|throughput]
              (the Kafka layer on the embedded broker: produce → consume latency, bare loop vs our stage; source throughput)
      micro   [BenchmarkDotNet options, e.g. --filter *]
      profile-memory [--users 5000]   (bytes per profile with full behaviour windows)
      peers   [--events 300000] [--users 30000] [--partitions 6] [--runners limit,dmpactors,orleans,protoactor] [--quick]
              (the same ingest on a hand-written loop, DmpActors, Orleans and Proto.Actor)
      recommendations [--rates 500,2000] [--seconds 10] [--items 2000] [--users 2000] [--events 40000]
              (GET /v1/recommendations latency from an open-loop client against the host process)
      models  [--samples 1000000] [--nodes 3]   (retrain every model + push the versions to every node)
      alloc   [--events 200000] [--users 20000] [--quick]   (bytes allocated per event: parse, each feature module, encode; not in all)
      all     [--quick]   every workload above but micro, one after another (--quick: small sizes, < 10 minutes)
    """;
if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Console.Error.WriteLine(usage); return args.Length == 0 ? 1 : 0; }
var rest = args.Skip(1).ToArray();
try
{
    return await Workloads.RunAsync(args[0], rest, usage);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(usage);
    return 1;
}
