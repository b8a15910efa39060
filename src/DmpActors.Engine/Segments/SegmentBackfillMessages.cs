using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Segments;

/// <summary>Asks the backfill singleton for <see cref="BackfillProgress"/>.</summary>
public sealed record GetBackfillProgress : IWireMessage
{
    public static readonly GetBackfillProgress Instance = new();
}

/// <summary>
/// Where the backfill stands. <see cref="State"/> is <c>idle</c> (no segment set published since this singleton
/// started), <c>running</c> or <c>completed</c>; the numbers are those of the walk for <see cref="Revision"/>.
/// <see cref="Total"/> is the count of stored profiles when the walk started (or the users done, if more were added
/// meanwhile); <see cref="Failed"/> counts users whose re-evaluation failed or timed out; <see cref="Restarts"/> counts
/// walks stopped by a newer revision since this singleton started.
/// </summary>
public sealed record BackfillProgress(string State, long Revision, long Done, long Total, long Changes, long Failed,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double UsersPerSecond, int InFlight, long Restarts) : IWireMessage
{
    public static readonly BackfillProgress Idle = new("idle", 0, 0, 0, 0, 0, null, null, 0, 0, 0);

    /// <summary>Dmp:Backfill:Enabled is false.</summary>
    public static readonly BackfillProgress Disabled = Idle with { State = "disabled" };
}

public static class SegmentBackfillSingleton
{
    /// <summary>Starts the cluster's one <see cref="SegmentBackfill"/> (on the oldest node; it moves when that node
    /// leaves) and returns a proxy that reaches it from this node.</summary>
    public static IActorRef Start(ActorSystem system, IProfileStore store, IActorRef users, SegmentRegistry registry,
        BackfillOptions options, TimeProvider clock)
    {
        system.ActorOf(ClusterSingletonManager.Props(SegmentBackfill.Props(store, users, registry, options, clock), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system)), "segment-backfill");
        return system.ActorOf(ClusterSingletonProxy.Props("/user/segment-backfill", ClusterSingletonProxySettings.Create(system)),
            "segment-backfill-proxy");
    }
}
