using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Models;

namespace DmpActors.Engine.Tests.Models;

/// <summary>Real cluster nodes on loopback, each running its share of the models (singleton manager, proxy, replica
/// and registry), with the coordinator journaling where the storage options say.</summary>
public sealed class ModelNodes : IAsyncDisposable
{
    private readonly List<(ActorSystem System, ModelService Models)> _nodes = [];
    private readonly StorageOptions _storage;

    public ModelNodes(StorageOptions? storage = null) => _storage = storage ?? new StorageOptions { Provider = "memory" };

    public IReadOnlyList<(ActorSystem System, ModelService Models)> Nodes => _nodes;

    public async Task<(ActorSystem System, ModelService Models)> StartNodeAsync()
    {
        var seeds = _nodes.Count == 0 ? [] : new[] { Cluster.Get(_nodes[0].System).SelfAddress.ToString() };
        var node = new NodeOptions { ClusterName = "models", Port = 0, SeedNodes = seeds };
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.loggers = [\"Akka.Event.DefaultLogger\"]")
            .WithFallback(AkkaConfig.For(node)).WithFallback(ModelsConfig.For(_storage));
        var system = ActorSystem.Create("models", config);
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(_nodes.Count == 0 ? cluster.SelfAddress : Cluster.Get(_nodes[0].System).SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var models = ModelService.Prepare(ProfileRules.Default);
        var (journal, snapshots) = ModelsConfig.PluginsFor(_storage);
        models.Start(system, new ModelCoordinatorSettings(10_000, TimeSpan.Zero, journal, snapshots), TimeSpan.FromMilliseconds(300));
        _nodes.Add((system, models));
        return (system, models);
    }

    /// <summary>Samples of three interest groups (categories a, b, c), every user a purchaser.</summary>
    public static IEnumerable<FeatureSample> Samples(int count, int seed = 1)
    {
        var random = new Random(seed);
        var at = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var numeric = new float[ProfileFeatures.NumericNames.Count];
            numeric[1] = random.Next(60);
            numeric[3] = 1 + random.Next(10);
            numeric[4] = random.Next(1000);
            var home = "abc"[i % 3].ToString();
            yield return new FeatureSample($"u{i}", at, numeric, [new CategoryShare(home, 0.8f), new CategoryShare("z", 0.2f)]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (system, _) in Enumerable.Reverse(_nodes)) await system.Terminate();
    }
}
