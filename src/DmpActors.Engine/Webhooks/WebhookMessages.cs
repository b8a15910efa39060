using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Webhooks;

/// <summary>A subscription as the API shows it: never its secret.</summary>
public sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Kinds, bool Enabled, int Pending, int Dead);

public sealed record SaveWebhook(WebhookSubscription Subscription) : IWireMessage;
public sealed record WebhookSaved(WebhookView View, bool Created) : IWireMessage;
public sealed record GetWebhook(string Id) : IWireMessage;
public sealed record WebhookFound(string Id, WebhookView? View) : IWireMessage;
public sealed record DeleteWebhook(string Id) : IWireMessage;
public sealed record WebhookDeleted(string Id, bool Existed) : IWireMessage;
public sealed record GetDeliveries(string Id, int Limit, DeliveryStatus? Status = null) : IWireMessage;
public sealed record DeliveriesReply(string Id, bool Found, IReadOnlyList<DeliveryRecord> Deliveries) : IWireMessage;

/// <summary>Queue the endpoint's dead letters again: all of them, or the message ids given.</summary>
public sealed record RedeliverWebhook(string Id, IReadOnlyList<string>? MessageIds = null) : IWireMessage;
public sealed record RedeliveryQueued(string Id, bool Found, IReadOnlyList<string> MessageIds) : IWireMessage;

/// <summary>
/// One message for every enabled endpoint that takes its kind. Answered once every such endpoint has the message in its
/// durable outbox; the same <see cref="MessageId"/> again queues nothing anywhere it is already known.
/// </summary>
public sealed record PublishWebhook(string Kind, string MessageId, string Body) : IWireMessage;
public sealed record WebhookPublished(string MessageId, int Endpoints, int Queued) : IWireMessage;

/// <summary>To one endpoint: put the message in its outbox (answered with <see cref="WebhookQueued"/>).</summary>
public sealed record QueueWebhook(string EndpointId, WebhookMessage Message) : IWireMessage;
public sealed record WebhookQueued(string EndpointId, string MessageId, bool Fresh) : IWireMessage;

/// <summary>Journal of the endpoint index.</summary>
public sealed record WebhookEndpointSaved(string Id, IReadOnlyList<string> Kinds, bool Enabled) : IWireMessage;
public sealed record WebhookEndpointRemoved(string Id) : IWireMessage;

/// <summary>Journal of one endpoint: its subscription, outbox and delivery log.</summary>
public sealed record SubscriptionStored(WebhookSubscription Subscription) : IWireMessage;
public sealed record MessageQueued(WebhookMessage Message) : IWireMessage;
public sealed record DeliveryFinished(DeliveryOutcome Outcome) : IWireMessage;
public sealed record RedeliveryStarted(IReadOnlyList<string> MessageIds) : IWireMessage;

/// <summary>Every endpoint with its delivery summary and circuit state (answered with <see cref="WebhooksListed"/>).</summary>
public sealed record ListWebhooks : IWireMessage;
public sealed record WebhooksListed(IReadOnlyList<WebhookSummaryView> Webhooks) : IWireMessage;
/// <summary>To one endpoint: its summary (answered with <see cref="WebhookSummaryView"/>).</summary>
public sealed record GetWebhookSummary(string Id) : IWireMessage;

/// <summary>One endpoint as the list shows it: its subscription (never the secret), deliveries and circuit.</summary>
/// <param name="Circuit">The endpoint's circuit breaker: <c>closed</c>, <c>open</c>, <c>half-open</c> or <c>isolated</c>.</param>
public sealed record WebhookSummaryView(string Id, string Url, IReadOnlyList<string> Kinds, bool Enabled, DeliverySummary Deliveries,
    string Circuit) : IWireMessage;

/// <summary>Manifests of the webhook messages (merged into <see cref="DmpSerializer"/>'s table).</summary>
internal static class WebhookWire
{
    public static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(SaveWebhook)] = "save-webhook.v1",
        [typeof(WebhookSaved)] = "webhook-saved.v1",
        [typeof(GetWebhook)] = "get-webhook.v1",
        [typeof(WebhookFound)] = "webhook-found.v1",
        [typeof(DeleteWebhook)] = "delete-webhook.v1",
        [typeof(WebhookDeleted)] = "webhook-deleted.v1",
        [typeof(GetDeliveries)] = "get-deliveries.v1",
        [typeof(DeliveriesReply)] = "deliveries-reply.v1",
        [typeof(RedeliverWebhook)] = "redeliver-webhook.v1",
        [typeof(RedeliveryQueued)] = "redelivery-queued.v1",
        [typeof(PublishWebhook)] = "publish-webhook.v1",
        [typeof(WebhookPublished)] = "webhook-published.v1",
        [typeof(QueueWebhook)] = "queue-webhook.v1",
        [typeof(WebhookQueued)] = "webhook-queued.v1",
        [typeof(WebhookEndpointSaved)] = "webhook-endpoint-saved.v1",
        [typeof(WebhookEndpointRemoved)] = "webhook-endpoint-removed.v1",
        [typeof(SubscriptionStored)] = "subscription-stored.v1",
        [typeof(MessageQueued)] = "message-queued.v1",
        [typeof(DeliveryFinished)] = "delivery-finished.v1",
        [typeof(RedeliveryStarted)] = "redelivery-started.v1",
        [typeof(ListWebhooks)] = "list-webhooks.v1",
        [typeof(WebhooksListed)] = "webhooks-listed.v1",
        [typeof(GetWebhookSummary)] = "get-webhook-summary.v1",
        [typeof(WebhookSummaryView)] = "webhook-summary.v1",
    };

    public static readonly IReadOnlyDictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
}
