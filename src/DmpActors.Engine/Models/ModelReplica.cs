using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace DmpActors.Engine.Models;

/// <summary>
/// One per node: keeps the node's <see cref="ModelRegistry"/> current. Subscribes to the coordinator's topic, and also
/// asks the coordinator (through the singleton proxy) at an interval for anything newer than what it has: a node that
/// joins after versions were published gets them, and a publication missed while subscriptions spread is caught up.
/// At the same interval it sends the node's scoring tally, so the coordinator reports shadow disagreement cluster-wide.
/// </summary>
public sealed class ModelReplica : ReceiveActor, IWithTimers
{
    private sealed record AskAgain
    {
        public static AskAgain Instance { get; } = new();
    }

    private readonly IActorRef _coordinator;
    private readonly TimeSpan _askEvery;
    private readonly string _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

    public ModelReplica(ModelRegistry registry, IActorRef coordinator, TimeSpan askEvery)
    {
        _coordinator = coordinator;
        _askEvery = askEvery;
        Receive<SubscribeAck>(_ => { });
        Receive<ModelCatalogue>(c => registry.Publish(c));
        Receive<AskAgain>(_ =>
        {
            _coordinator.Tell(new GetModelCatalogue(registry.Current.Revision));
            if (registry.Tally() is { Count: > 0 } counts) _coordinator.Tell(new ScoringTally(_node, counts));
        });
    }

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ModelCoordinatorSettings.Topic, Self));
        _coordinator.Tell(GetModelCatalogue.Instance);
        Timers.StartPeriodicTimer("ask", AskAgain.Instance, _askEvery);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ModelRegistry registry, IActorRef coordinator, TimeSpan? askEvery = null) =>
        Akka.Actor.Props.Create(() => new ModelReplica(registry, coordinator, askEvery ?? TimeSpan.FromSeconds(2)));
}
