using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Models;
using DmpActors.Ml.Training;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Retrain + push: a coordinator on a 3-node loopback cluster holds N samples (five interest groups, a third of them
/// labelled), retrains every model on demand, and the clock stops when every node's registry scores with the new
/// versions. Samples are offered to the coordinator before the clock starts.
/// </summary>
public static class ModelsWorkload
{
    public static async Task<int> RunAsync(Args args, string command)
    {
        var samples = args.Int("samples", 1_000_000);
        var nodes = args.Int("nodes", 3);
        args.EnsureAllKnown();
        var systems = new List<(ActorSystem System, ModelService Models)>();
        try
        {
            for (var i = 0; i < nodes; i++) systems.Add(await StartNodeAsync(systems.Count == 0 ? null : Cluster.Get(systems[0].System).SelfAddress, samples));
            var coordinator = systems[0].Models.Coordinator;
            var offer = Stopwatch.StartNew();
            foreach (var s in Synthetic(samples)) coordinator.Tell(new OfferSample(s));
            var first = await coordinator.Ask<RetrainAccepted>(new RetrainModels([ModelNames.Rfm]), TimeSpan.FromMinutes(5));
            offer.Stop();
            await AllActive(systems, ModelNames.Rfm, 1);

            var clock = Stopwatch.StartNew();
            var accepted = await coordinator.Ask<RetrainAccepted>(new RetrainModels([]), TimeSpan.FromMinutes(5));
            await AllActive(systems, ModelNames.Clv, 1);
            await AllActive(systems, ModelNames.Rfm, 2);
            clock.Stop();

            var catalogue = systems[^1].Models.Registry.Current;
            var versions = catalogue.Versions.Where(v => v.Status == ModelStatus.Active).OrderBy(v => v.Name).ToArray();
            var md = Report.Header($"models: retrain + push, {samples:N0} samples, {nodes} nodes", command) + "\n" + $"""
                | step | value |
                | --- | --- |
                | samples in the reservoir / labelled | {accepted.Samples:N0} / {accepted.LabelledRows:N0} |
                | offering the samples (tell, then the first RFM fit) | {offer.Elapsed.TotalSeconds:F1} s |
                | **retrain every model + push to {nodes} nodes (target ≤ 10 s)** | **{clock.Elapsed.TotalSeconds:F1} s** |
                | catalogue size on the wire | {versions.Sum(v => v.Payload?.Length ?? 0) / 1024.0:F0} KiB |

                | model | rows | train ms | metrics |
                | --- | --- | --- | --- |
                {string.Join("\n", versions.Select(v => $"| {v.Name} v{v.Version} | {v.Rows:N0} | {v.DurationMs:F0} | {string.Join(", ", v.Metrics.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value:G3}"))} |"))}
                """;
            Console.WriteLine(md);
            Report.Write("models", md, command, new
            {
                samples, nodes, labelled = accepted.LabelledRows, retrain_push_s = clock.Elapsed.TotalSeconds,
                models = versions.Select(v => new { v.Name, v.Version, v.Rows, v.DurationMs, v.Metrics }),
            });
            return first.Started ? 0 : 1;
        }
        finally
        {
            foreach (var (system, _) in Enumerable.Reverse(systems)) await system.Terminate();
        }
    }

    private static async Task AllActive(List<(ActorSystem System, ModelService Models)> systems, string name, int version)
    {
        while (!systems.All(n => n.Models.Registry.ActiveVersion(name) == version)) await Task.Delay(10);
    }

    private static async Task<(ActorSystem, ModelService)> StartNodeAsync(Address? seed, int capacity)
    {
        var storage = new StorageOptions { Provider = "memory" };
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.loggers = [\"Akka.Event.DefaultLogger\"]")
            .WithFallback(AkkaConfig.For(new NodeOptions { ClusterName = "bench", Port = 0 })).WithFallback(ModelsConfig.For(storage));
        var system = ActorSystem.Create("bench", config);
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(seed ?? cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var models = ModelService.Prepare(ProfileRules.Default);
        var (journal, snapshots) = ModelsConfig.PluginsFor(storage);
        models.Start(system, new ModelCoordinatorSettings(capacity, TimeSpan.Zero, journal, snapshots), TimeSpan.FromMilliseconds(200));
        return (system, models);
    }

    /// <summary>Five interest groups; each user sampled three times 16 days apart, so later samples label earlier ones.</summary>
    private static IEnumerable<FeatureSample> Synthetic(int count)
    {
        var random = new Random(5);
        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        string[] categories = ["shoes", "bags", "books", "garden", "toys", "music", "sport", "food"];
        var users = count / 3;
        for (var round = 0; round < 3; round++)
        {
            for (var u = 0; u < users + (round < count % 3 ? 1 : 0); u++)
            {
                var x = new float[ProfileFeatures.NumericNames.Count];
                var group = u % 5;
                var orders = (int)(group * 0.6 + round) + random.Next(3);
                x[0] = random.Next(10);
                x[1] = orders > 0 ? random.Next(30) : ProfileFeatures.MaxDays;
                x[2] = 30 + round * 16;
                x[3] = orders;
                x[4] = orders * (20 + group * 15 + random.Next(40));
                for (var i = 8; i < x.Length; i++) x[i] = random.Next(1 + group * 3);
                yield return new FeatureSample($"u{u}", start.AddDays(round * 16), x,
                    [new CategoryShare(categories[group], 0.7f + (float)random.NextDouble() * 0.2f), new CategoryShare(categories[5 + u % 3], 0.1f)]);
            }
        }
    }
}
