using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Models;

/// <summary>The model coordinator's settings (Dmp:Models).</summary>
public sealed class ModelsOptions
{
    /// <summary>Feature samples the coordinator keeps for training (about 0.4 KB each).</summary>
    public int ReservoirCapacity { get; set; } = 200_000;

    /// <summary>How often every model is retrained; 0 for on demand only.</summary>
    public TimeSpan RetrainEvery { get; set; } = TimeSpan.FromHours(1);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(ReservoirCapacity is >= 100 and <= 10_000_000, "ReservoirCapacity", $"must be 100..10000000, got {ReservoirCapacity}");
        problems.Check(RetrainEvery >= TimeSpan.Zero, "RetrainEvery", $"must not be negative, got {RetrainEvery}");
    }
}

/// <summary>The models on one node: the registry its entities score with, the hook they call, the replica that keeps
/// the registry current, and the proxy of the cluster's coordinator singleton (hosted on the oldest node).</summary>
public sealed class ModelService
{
    public const string CoordinatorName = "model-coordinator";

    private ModelService(ModelRegistry registry, ModelHook hook)
    {
        Registry = registry;
        Hook = hook;
    }

    public ModelRegistry Registry { get; }
    public ModelHook Hook { get; }
    public IActorRef Coordinator { get; private set; } = ActorRefs.Nobody;

    /// <summary>The coordinator's queries and commands, from this node.</summary>
    public IModels Client { get; private set; } = null!;

    /// <summary>The registry and hook, before the actor system runs (entities get the hook in their settings).</summary>
    public static ModelService Prepare(ProfileRules rules)
    {
        var registry = new ModelRegistry();
        return new ModelService(registry, new ModelHook(registry, rules));
    }

    /// <summary>Starts this node's share: the singleton manager (the coordinator runs where it runs), the proxy, the replica.</summary>
    public void Start(ActorSystem system, ModelCoordinatorSettings settings, TimeSpan? replicaAskEvery = null)
    {
        system.ActorOf(ClusterSingletonManager.Props(ModelCoordinator.Props(settings), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system)), CoordinatorName);
        Coordinator = system.ActorOf(ClusterSingletonProxy.Props($"/user/{CoordinatorName}", ClusterSingletonProxySettings.Create(system)),
            CoordinatorName + "-proxy");
        system.ActorOf(ModelReplica.Props(Registry, Coordinator, replicaAskEvery), "model-replica");
        Hook.ConnectTo(Coordinator);
        Client = new ModelsClient(Coordinator, TimeSpan.FromSeconds(10));
    }

    public static ModelCoordinatorSettings SettingsFor(DmpOptions options, ModelsOptions models, TimeProvider clock)
    {
        var (journal, snapshots) = ModelsConfig.PluginsFor(options.Storage);
        return new ModelCoordinatorSettings(models.ReservoirCapacity, models.RetrainEvery, journal, snapshots) { Clock = clock };
    }
}
