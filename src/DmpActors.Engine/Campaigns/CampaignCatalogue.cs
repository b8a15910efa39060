using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Pattern;
using DmpActors.Domain.Campaigns;

namespace DmpActors.Engine.Campaigns;

/// <summary>The cluster's durable, versioned campaign definitions, from any node (docs/campaigns.md).</summary>
public interface ICampaignCatalogue
{
    /// <summary>The campaigns this node decides with (replicated from the catalogue).</summary>
    CampaignRegistry Registry { get; }

    /// <exception cref="CampaignRefusedException">The definition has problems; each names its field.</exception>
    Task<CampaignChanged> PutAsync(string campaignId, string definitionJson, CancellationToken ct = default);

    /// <exception cref="CampaignRefusedException">The campaign is not defined.</exception>
    Task<CampaignChanged> PauseAsync(string campaignId, bool paused, CancellationToken ct = default);

    /// <summary>The tombstone recorded, or null when the campaign was not live.</summary>
    Task<CampaignVersion?> DeleteAsync(string campaignId, CancellationToken ct = default);

    Task<CurrentCampaigns> ListAsync(CancellationToken ct = default);

    /// <summary>Every version, oldest first, tombstones included; empty when never defined.</summary>
    Task<IReadOnlyList<CampaignVersion>> HistoryAsync(string campaignId, CancellationToken ct = default);
}

public sealed class CampaignRefusedException(IReadOnlyList<FieldError> errors) : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>
/// Starts the catalogue on a node: the singleton (restarted with backoff when its journal fails), a proxy to it, and this
/// node's replica. Reads and writes go to the singleton, so a read after a write sees it.
/// </summary>
public sealed class CampaignCatalogue : ICampaignCatalogue
{
    private readonly IActorRef _proxy;
    private readonly TimeSpan _timeout;

    private CampaignCatalogue(IActorRef proxy, CampaignRegistry registry, TimeSpan timeout) =>
        (_proxy, Registry, _timeout) = (proxy, registry, timeout);

    public CampaignRegistry Registry { get; }

    public static CampaignCatalogue Start(ActorSystem system, TimeProvider clock, TimeSpan? timeout = null)
    {
        var writer = BackoffSupervisor.Props(Backoff.OnStop(CampaignCatalogueActor.Props(clock), "catalogue",
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
        system.ActorOf(ClusterSingletonManager.Props(writer, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
            "campaign-catalogue");
        var proxy = system.ActorOf(ClusterSingletonProxy.Props("/user/campaign-catalogue", ClusterSingletonProxySettings.Create(system)),
            "campaign-catalogue-proxy");
        var registry = new CampaignRegistry();
        system.ActorOf(CampaignReplicaActor.Props(registry), "campaign-replica");
        return new CampaignCatalogue(proxy, registry, timeout ?? TimeSpan.FromSeconds(10));
    }

    public Task<CampaignChanged> PutAsync(string campaignId, string definitionJson, CancellationToken ct = default) =>
        Change(new PutCampaign(campaignId, definitionJson), ct);

    public Task<CampaignChanged> PauseAsync(string campaignId, bool paused, CancellationToken ct = default) =>
        Change(new PauseCampaign(campaignId, paused), ct);

    public async Task<CampaignVersion?> DeleteAsync(string campaignId, CancellationToken ct = default) =>
        (await Change(new DeleteCampaign(campaignId), ct)).Current;

    public async Task<CurrentCampaigns> ListAsync(CancellationToken ct = default) =>
        await _proxy.Ask<CurrentCampaigns>(ListCampaigns.Instance, _timeout, ct);

    public async Task<IReadOnlyList<CampaignVersion>> HistoryAsync(string campaignId, CancellationToken ct = default) =>
        (await _proxy.Ask<CampaignHistory>(new GetCampaign(campaignId), _timeout, ct)).Versions;

    private async Task<CampaignChanged> Change(object command, CancellationToken ct) => await _proxy.Ask<object>(command, _timeout, ct) switch
    {
        CampaignChanged changed => changed,
        CampaignRefused refused => throw new CampaignRefusedException(refused.Errors),
        var other => throw new InvalidOperationException($"the campaign catalogue answered {other?.GetType().Name}"),
    };
}
