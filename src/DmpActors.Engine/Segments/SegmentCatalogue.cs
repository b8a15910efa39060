using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Pattern;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;

namespace DmpActors.Engine.Segments;

/// <summary>The durable, versioned segment definitions of the cluster, from any node.</summary>
public interface ISegmentCatalogue
{
    /// <summary>Defines <paramref name="segmentId"/>: a new version when the rule or the shadow flag changes, nothing
    /// when both are the same as the current version's.</summary>
    /// <exception cref="SegmentCatalogueException">The catalogue refused the id or the rule.</exception>
    Task<SegmentPut> PutAsync(string segmentId, RuleDefinition rule, bool shadow, CancellationToken ct = default);

    /// <summary>Records a tombstone version; null when the segment had no live definition.</summary>
    Task<SegmentVersion?> DeleteAsync(string segmentId, CancellationToken ct = default);

    /// <summary>Every live definition, in segment id order, at the catalogue's revision.</summary>
    Task<CurrentSegments> ListAsync(CancellationToken ct = default);

    /// <summary>Every version of one segment, oldest first, tombstones included; empty when never defined.</summary>
    Task<IReadOnlyList<SegmentVersion>> HistoryAsync(string segmentId, CancellationToken ct = default);
}

public sealed class SegmentCatalogueException(string message) : Exception(message);

/// <summary>
/// Starts the catalogue on a node: the singleton manager (the writer runs on the oldest node, restarted with backoff
/// when its journal fails), a proxy to it, and this node's replica that keeps the <see cref="SegmentRegistry"/>
/// current. Reads and writes go to the singleton, so a read after a write sees it.
/// </summary>
public sealed class SegmentCatalogue : ISegmentCatalogue
{
    private readonly IActorRef _proxy;
    private readonly TimeSpan _timeout;

    private SegmentCatalogue(IActorRef proxy, TimeSpan timeout)
    {
        _proxy = proxy;
        _timeout = timeout;
    }

    public static SegmentCatalogue Start(ActorSystem system, SegmentRegistry registry, ProfileRules rules, TimeProvider clock,
        TimeSpan? timeout = null)
    {
        var writer = BackoffSupervisor.Props(Backoff.OnStop(SegmentCatalogueActor.Props(clock),
            "catalogue", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
        system.ActorOf(ClusterSingletonManager.Props(writer, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
            "segment-catalogue");
        var proxy = system.ActorOf(ClusterSingletonProxy.Props("/user/segment-catalogue", ClusterSingletonProxySettings.Create(system)),
            "segment-catalogue-proxy");
        system.ActorOf(SegmentReplicaActor.Props(registry, rules), "segment-replica");
        return new SegmentCatalogue(proxy, timeout ?? TimeSpan.FromSeconds(10));
    }

    public async Task<SegmentPut> PutAsync(string segmentId, RuleDefinition rule, bool shadow, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return await Ask(new PutSegment(segmentId, rule.Text, shadow), ct) switch
        {
            SegmentPut put => put,
            SegmentCommandRefused refused => throw new SegmentCatalogueException(refused.Reason),
            var other => throw Unexpected(other),
        };
    }

    public async Task<SegmentVersion?> DeleteAsync(string segmentId, CancellationToken ct = default) =>
        await Ask(new DeleteSegment(segmentId), ct) is SegmentDeleted deleted ? deleted.Tombstone : throw Unexpected(null);

    public async Task<CurrentSegments> ListAsync(CancellationToken ct = default) =>
        await Ask(ListSegments.Instance, ct) as CurrentSegments ?? throw Unexpected(null);

    public async Task<IReadOnlyList<SegmentVersion>> HistoryAsync(string segmentId, CancellationToken ct = default) =>
        (await Ask(new GetSegment(segmentId), ct) as SegmentHistory ?? throw Unexpected(null)).Versions;

    private Task<object> Ask(object message, CancellationToken ct) => _proxy.Ask<object>(message, _timeout, ct);

    private static InvalidOperationException Unexpected(object? reply) =>
        new($"the segment catalogue answered {reply?.GetType().Name ?? "something unexpected"}");
}
