using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using DmpActors.Domain.Webhooks;

namespace DmpActors.Engine.Webhooks;

/// <summary>The webhook feature as the HTTP API and the engine use it: subscriptions, publishing, the delivery log.</summary>
public sealed class WebhookHub
{
    private readonly IActorRef _dispatcher;
    private readonly TimeSpan _timeout;

    public WebhookHub(IActorRef dispatcher, TimeSpan timeout)
    {
        _dispatcher = dispatcher;
        _timeout = timeout;
    }

    /// <summary>Starts the endpoint index as a cluster singleton and returns the façade over its proxy.</summary>
    public static WebhookHub Start(ActorSystem system, WebhookRuntime runtime)
    {
        system.ActorOf(ClusterSingletonManager.Props(WebhookDispatcher.Props(runtime), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithSingletonName("dispatcher")), "webhooks");
        var proxy = system.ActorOf(ClusterSingletonProxy.Props("/user/webhooks",
            ClusterSingletonProxySettings.Create(system).WithSingletonName("dispatcher")), "webhooks-proxy");
        return new WebhookHub(proxy, TimeSpan.FromSeconds(30));
    }

    public Task<WebhookSaved> SaveAsync(WebhookSubscription subscription, CancellationToken ct = default) =>
        _dispatcher.Ask<WebhookSaved>(new SaveWebhook(subscription), _timeout, ct);

    public async Task<WebhookView?> GetAsync(string id, CancellationToken ct = default) =>
        (await _dispatcher.Ask<WebhookFound>(new GetWebhook(id), _timeout, ct)).View;

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default) =>
        (await _dispatcher.Ask<WebhookDeleted>(new DeleteWebhook(id), _timeout, ct)).Existed;

    public Task<DeliveriesReply> DeliveriesAsync(string id, int limit, DeliveryStatus? status = null, CancellationToken ct = default) =>
        _dispatcher.Ask<DeliveriesReply>(new GetDeliveries(id, limit, status), _timeout, ct);

    public Task<RedeliveryQueued> RedeliverAsync(string id, IReadOnlyList<string>? messageIds = null, CancellationToken ct = default) =>
        _dispatcher.Ask<RedeliveryQueued>(new RedeliverWebhook(id, messageIds), _timeout, ct);

    /// <summary>Every endpoint, ordered by id, with its delivery summary and circuit state.</summary>
    public async Task<IReadOnlyList<WebhookSummaryView>> ListAsync(CancellationToken ct = default) =>
        (await _dispatcher.Ask<WebhooksListed>(new ListWebhooks(), _timeout, ct)).Webhooks;

    /// <summary>Answers once every endpoint that takes <paramref name="kind"/> holds the message durably.</summary>
    public Task<WebhookPublished> PublishAsync(string kind, string messageId, string body, CancellationToken ct = default) =>
        _dispatcher.Ask<WebhookPublished>(new PublishWebhook(kind, messageId, body), _timeout, ct);
}
