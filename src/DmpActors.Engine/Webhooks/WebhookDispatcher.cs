using Akka.Actor;
using Akka.Persistence;
using DmpActors.Domain.Webhooks;

namespace DmpActors.Engine.Webhooks;

/// <summary>
/// The endpoint index (a cluster singleton): which endpoints exist and what kinds they take, journaled. It starts an
/// endpoint actor for each after recovery (so outboxes resume after a restart), routes commands to them, and fans a
/// published message out to every endpoint that takes its kind.
/// </summary>
public sealed class WebhookDispatcher : ReceivePersistentActor
{
    private readonly WebhookRuntime _runtime;
    private readonly Dictionary<string, WebhookEndpointSaved> _endpoints = new(StringComparer.Ordinal);

    public WebhookDispatcher(WebhookRuntime runtime)
    {
        _runtime = runtime;
        JournalPluginId = runtime.Persistence.JournalPluginId;

        Recover<WebhookEndpointSaved>(e => _endpoints[e.Id] = e);
        Recover<WebhookEndpointRemoved>(e => _endpoints.Remove(e.Id));
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var id in _endpoints.Keys) Endpoint(id);
        });

        Command<SaveWebhook>(c =>
        {
            var s = c.Subscription;
            Persist(new WebhookEndpointSaved(s.Id, s.Kinds, s.Enabled), e =>
            {
                _endpoints[e.Id] = e;
                Endpoint(e.Id).Forward(c);
            });
        });
        Command<DeleteWebhook>(c =>
        {
            if (!_endpoints.ContainsKey(c.Id))
            {
                Sender.Tell(new WebhookDeleted(c.Id, false));
                return;
            }
            Persist(new WebhookEndpointRemoved(c.Id), e =>
            {
                _endpoints.Remove(e.Id);
                Endpoint(e.Id).Forward(c);
            });
        });
        Command<GetWebhook>(c => Route(c.Id, c, new WebhookFound(c.Id, null)));
        Command<GetDeliveries>(c => Route(c.Id, c, new DeliveriesReply(c.Id, false, [])));
        Command<RedeliverWebhook>(c => Route(c.Id, c, new RedeliveryQueued(c.Id, false, [])));
        Command<PublishWebhook>(Publish);
        Command<ListWebhooks>(_ => List());
    }

    public override string PersistenceId => "webhook-endpoints";

    public static Props Props(WebhookRuntime runtime) => Akka.Actor.Props.Create(() => new WebhookDispatcher(runtime));

    private void Route(string id, object command, object notFound)
    {
        if (_endpoints.ContainsKey(id)) Endpoint(id).Forward(command);
        else Sender.Tell(notFound);
    }

    private void Publish(PublishWebhook p)
    {
        var targets = _endpoints.Values.Where(e => e.Enabled && e.Kinds.Contains(p.Kind)).Select(e => e.Id).ToList();
        var message = new WebhookMessage(p.MessageId, p.Kind, p.Body, _runtime.Clock.GetUtcNow());
        var asks = targets.Select(id => Endpoint(id).Ask<WebhookQueued>(new QueueWebhook(id, message), TimeSpan.FromSeconds(30)));
        Gather(asks, queued => new WebhookPublished(p.MessageId, targets.Count, queued.Count(q => q.Fresh)));
    }

    /// <summary>Asks every endpoint for its summary; one removed meanwhile is left out.</summary>
    private void List()
    {
        var asks = _endpoints.Keys.Order(StringComparer.Ordinal)
            .Select(id => Endpoint(id).Ask<object>(new GetWebhookSummary(id), TimeSpan.FromSeconds(30))).ToList();
        Gather(asks, replies => new WebhooksListed(replies.OfType<WebhookSummaryView>().ToList()));
    }

    /// <summary>Answers the sender with <paramref name="reply"/> of every answer, or a failure if any ask failed.</summary>
    private void Gather<T>(IEnumerable<Task<T>> asks, Func<T[], object> reply) =>
        Task.WhenAll(asks).ContinueWith(t => t.IsCompletedSuccessfully
                ? reply(t.Result)
                : new Status.Failure(t.Exception?.GetBaseException() ?? new TaskCanceledException()),
            TaskContinuationOptions.ExecuteSynchronously).PipeTo(Sender);

    private IActorRef Endpoint(string id)
    {
        var name = Uri.EscapeDataString(id);
        var child = Context.Child(name);
        return child.IsNobody() ? Context.ActorOf(WebhookEndpointActor.Props(id, _runtime), name) : child;
    }
}
