using Akka.Actor;
using Akka.Persistence;
using DmpActors.Domain.Webhooks;

namespace DmpActors.Engine.Webhooks;

/// <summary>
/// One subscriber endpoint: its subscription, durable outbox and delivery log, journaled through Akka.Persistence.Sql.
/// A message is answered as queued only once journaled; its outcome is journaled when the pipeline finishes with it,
/// so after a crash every message without an outcome is sent again, with the same webhook-id.
/// </summary>
public sealed class WebhookEndpointActor : ReceivePersistentActor
{
    private readonly string _id;
    private readonly WebhookRuntime _runtime;
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private WebhookOutbox _outbox = new();
    private WebhookSubscription? _subscription;
    private WebhookSender? _sender;

    public WebhookEndpointActor(string id, WebhookRuntime runtime)
    {
        _id = id;
        _runtime = runtime;
        JournalPluginId = runtime.Persistence.JournalPluginId;

        Recover<SubscriptionStored>(e => _subscription = e.Subscription);
        Recover<MessageQueued>(e => _outbox.Enqueue(e.Message));
        Recover<DeliveryFinished>(e => _outbox.Complete(e.Outcome));
        Recover<RedeliveryStarted>(e => _outbox.Redeliver(e.MessageIds));
        Recover<WebhookEndpointRemoved>(_ => Reset());
        Recover<RecoveryCompleted>(_ => Start());

        // An empty secret on an update keeps the one written before (the API never shows it, so a client cannot resend it).
        Command<SaveWebhook>(c => Persist(new SubscriptionStored(c.Subscription.Secret.Length == 0 && _subscription is { } old
            ? c.Subscription with { Secret = old.Secret }
            : c.Subscription), e =>
        {
            var created = _subscription is null;
            _subscription = e.Subscription;
            Start();
            Sender.Tell(new WebhookSaved(View(), created));
        }));
        Command<GetWebhook>(_ => Sender.Tell(new WebhookFound(_id, _subscription is null ? null : View())));
        Command<DeleteWebhook>(_ => Persist(new WebhookEndpointRemoved(_id), _ =>
        {
            var existed = _subscription is not null;
            Reset();
            Sender.Tell(new WebhookDeleted(_id, existed));
            DeleteMessages(LastSequenceNr);
            Context.Stop(Self);
        }));
        Command<QueueWebhook>(Queue);
        Command<Delivered>(d => Persist(new DeliveryFinished(d.Outcome), e =>
        {
            _inFlight.Remove(e.Outcome.Id);
            _outbox.Complete(e.Outcome);
            Pump();
        }));
        Command<GetDeliveries>(q => Sender.Tell(new DeliveriesReply(_id, _subscription is not null, _outbox.Log(q.Limit, q.Status))));
        Command<RedeliverWebhook>(Redeliver);
        Command<GetWebhookSummary>(_ => Sender.Tell(_subscription is { } s
            ? new WebhookSummaryView(_id, s.Url, s.Kinds, s.Enabled, DeliverySummary.Of(_outbox.Log(int.MaxValue)), _sender?.Circuit ?? "closed")
            : new WebhookFound(_id, null)));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    public override string PersistenceId => $"webhook-endpoint-{_id}";

    public static Props Props(string id, WebhookRuntime runtime) => Akka.Actor.Props.Create(() => new WebhookEndpointActor(id, runtime));

    private void Queue(QueueWebhook c)
    {
        if (_subscription is null || !_subscription.Wants(c.Message.Kind) || _outbox.Knows(c.Message.Id))
        {
            Sender.Tell(new WebhookQueued(_id, c.Message.Id, false));
            return;
        }
        Persist(new MessageQueued(c.Message), e =>
        {
            _outbox.Enqueue(e.Message);
            Sender.Tell(new WebhookQueued(_id, e.Message.Id, true));
            Pump();
        });
    }

    private void Redeliver(RedeliverWebhook c)
    {
        var dead = _outbox.Log(int.MaxValue, DeliveryStatus.Dead)
            .Where(r => c.MessageIds is null || c.MessageIds.Contains(r.Id)).Select(r => r.Id).ToList();
        if (_subscription is null || dead.Count == 0)
        {
            Sender.Tell(new RedeliveryQueued(_id, _subscription is not null, []));
            return;
        }
        Persist(new RedeliveryStarted(dead), e =>
        {
            var queued = _outbox.Redeliver(e.MessageIds);
            Sender.Tell(new RedeliveryQueued(_id, true, queued));
            Pump();
        });
    }

    private void Start()
    {
        _sender = _subscription is null ? null : new WebhookSender(_runtime.Http, _subscription, _runtime.Delivery, _runtime.Clock);
        Pump();
    }

    private void Reset()
    {
        _subscription = null;
        _sender = null;
        _outbox = new WebhookOutbox();
    }

    /// <summary>Starts deliveries up to the endpoint's in-flight limit; each runs off the actor's thread.</summary>
    private void Pump()
    {
        if (_sender is not { } sender || _subscription is not { Enabled: true }) return;
        while (_inFlight.Count < _runtime.Delivery.MaxInFlight && _outbox.Take(_inFlight) is { } message)
        {
            _inFlight.Add(message.Id);
            sender.SendAsync(message, _stopping.Token).PipeTo(Self, success: o => new Delivered(o));
        }
    }

    private WebhookView View() => new(_id, _subscription!.Url, _subscription.Kinds, _subscription.Enabled, _outbox.PendingCount,
        _outbox.Log(int.MaxValue, DeliveryStatus.Dead).Count);

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    /// <summary>A delivery's pipeline finished (local only: never crosses nodes).</summary>
    private sealed record Delivered(DeliveryOutcome Outcome);
}
