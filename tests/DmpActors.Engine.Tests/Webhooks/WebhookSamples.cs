using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Webhooks;

namespace DmpActors.Engine.Tests.Webhooks;

/// <summary>One of each webhook wire message, for the serializer's round-trip test.</summary>
public static class WebhookSamples
{
    private static readonly DateTimeOffset T = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly WebhookSubscription Subscription = new("crm", "https://example.com/h", TestSubscriber.Secret, [WebhookKinds.Offer]);
    private static readonly WebhookMessage Message = new("msg-1", WebhookKinds.Offer, """{"offer_id":"o-1"}""", T);
    private static readonly DeliveryRecord Record = new("msg-1", WebhookKinds.Offer, DeliveryStatus.Delivered, T)
    {
        Attempts = 2, StatusCode = 200, LatencyMs = 12.5, CompletedAt = T.AddSeconds(1),
    };

    private static readonly WebhookSummaryView Summary = new("crm", "https://crm.example/hook", [WebhookKinds.Offer], true,
        new DeliverySummary(2, 1, 1, 0, 2.0 / 3, 3.5, 4.75, 3), "half-open");

    public static readonly object[] All =
    [
        new SaveWebhook(Subscription),
        new WebhookSaved(new WebhookView("crm", "https://example.com/h", [WebhookKinds.Offer], true, 1, 0), true),
        new GetWebhook("crm"),
        new WebhookFound("crm", null),
        new DeleteWebhook("crm"),
        new WebhookDeleted("crm", true),
        new GetDeliveries("crm", 10, DeliveryStatus.Dead),
        new DeliveriesReply("crm", true, [Record]),
        new RedeliverWebhook("crm", ["msg-1"]),
        new RedeliveryQueued("crm", true, ["msg-1"]),
        new PublishWebhook(WebhookKinds.Offer, "msg-1", "{}"),
        new WebhookPublished("msg-1", 2, 1),
        new QueueWebhook("crm", Message),
        new WebhookQueued("crm", "msg-1", true),
        new WebhookEndpointSaved("crm", [WebhookKinds.Offer, WebhookKinds.SegmentChange], false),
        new WebhookEndpointRemoved("crm"),
        new SubscriptionStored(Subscription),
        new MessageQueued(Message),
        new DeliveryFinished(new DeliveryOutcome("msg-1", false, 3, 503, 40.25, "HTTP 503", T)),
        new RedeliveryStarted(["msg-1", "msg-2"]),
        new ListWebhooks(),
        new GetWebhookSummary("crm"),
        Summary,
        new WebhooksListed([Summary]),
    ];

    public static bool Owns(object message) => message.GetType().Namespace == typeof(SaveWebhook).Namespace;
}
