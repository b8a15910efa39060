using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;

namespace DmpActors.Engine.Segments;

/// <summary>
/// The catalogue on one node: subscribes to the replicated live definitions, compiles each newer revision into a
/// <see cref="SegmentSet"/> and publishes it to the node's <see cref="SegmentRegistry"/>. A node that joins later
/// gets the current definitions by gossip.
/// </summary>
public sealed class SegmentReplicaActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public SegmentReplicaActor(SegmentRegistry registry, ProfileRules rules)
    {
        var replicator = DistributedData.Get(Context.System).Replicator;
        replicator.Tell(Dsl.Subscribe(SegmentCatalogueActor.Key, Self));

        Receive<Changed>(changed =>
        {
            var current = changed.Get(SegmentCatalogueActor.Key).Value;
            if (current.Revision <= registry.Current.Revision) return;
            try
            {
                registry.Publish(SegmentSet.Build(current.Revision, current.Segments, rules));
                _log.Info("Segment set revision {0} published: {1} segments", current.Revision, current.Segments.Count);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                // A definition checked when it was defined no longer compiles (a field left the catalogue):
                // entities keep the set they have rather than lose every segment.
                _log.Error(e, "Segment set revision {0} does not compile; keeping revision {1}", current.Revision, registry.Current.Revision);
            }
        });
    }

    public static Props Props(SegmentRegistry registry, ProfileRules rules) =>
        Akka.Actor.Props.Create(() => new SegmentReplicaActor(registry, rules));
}
