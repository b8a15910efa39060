using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Confluent.Kafka;
using DmpActors.Domain.Campaigns;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Webhooks;

namespace DmpActors.Engine.Campaigns;

/// <summary>What every offer ledger shares: the campaigns, the regions it asks, the caps across campaigns and where
/// offers go.</summary>
public sealed record CampaignRuntimeContext(CampaignRegistry Registry, IActorRef Users, IActorRef Campaigns,
    IReadOnlyList<FrequencyCap> GlobalCaps, TimeProvider Clock, TimeSpan Timeout, Func<IReadOnlyList<OfferMessage>, Task> Publish);

/// <summary>
/// Campaigns at work on a node: the "campaign" and "offer-ledger" shard regions, segment changes turned into triggers,
/// and offers delivered to the webhook endpoints that take kind <c>offer</c> and to the offers topic, with the same id.
/// </summary>
public sealed class CampaignRuntime : IDisposable
{
    public const string CampaignTypeName = "campaign";
    public const string LedgerTypeName = "offer-ledger";
    public const string OfferIdHeader = "dmp-offer-id";

    private readonly IDisposable _subscription;

    private CampaignRuntime(IActorRef campaigns, IActorRef ledgers, IDisposable subscription) =>
        (Campaigns, Ledgers, _subscription) = (campaigns, ledgers, subscription);

    public IActorRef Campaigns { get; }
    public IActorRef Ledgers { get; }

    public static async Task<CampaignRuntime> StartAsync(ActorSystem system, CampaignRegistry registry, IActorRef users, SegmentChangeHub changes,
        WebhookHub webhooks, IProducer<byte[]?, byte[]> producer, string offersTopic, IReadOnlyList<FrequencyCap> globalCaps, TimeProvider clock,
        int shards)
    {
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system);
        var extractor = new CampaignMessageExtractor(shards);
        var campaigns = await sharding.StartAsync(CampaignTypeName, id => CampaignActor.Props(id, registry), settings, extractor);
        var context = new CampaignRuntimeContext(registry, users, campaigns, globalCaps, clock, TimeSpan.FromSeconds(10),
            offers => PublishAsync(offers, webhooks, producer, offersTopic));
        var ledgers = await sharding.StartAsync(LedgerTypeName, id => OfferLedgerActor.Props(id, context), settings, extractor);
        var subscription = changes.Subscribe(change => Trigger(change, registry, ledgers));
        return new CampaignRuntime(campaigns, ledgers, subscription);
    }

    /// <summary>A durable segment change starts the campaigns it triggers (nothing is sent when none does).</summary>
    private static void Trigger(SegmentChange change, CampaignRegistry registry, IActorRef ledgers)
    {
        var kind = change.Kind == SegmentChangeKind.Entered ? TriggerKind.SegmentEntered : TriggerKind.SegmentExited;
        if (!registry.Current.TriggeredBy(kind, change.SegmentId).Any()) return;
        ledgers.Tell(new DecideOffers(change.UserId, new TriggerCause(kind, change.SegmentId, change.ChangeId, change.At)));
    }

    /// <summary>Completes once every endpoint that takes offers journaled each one and Kafka acknowledged each one.</summary>
    private static async Task PublishAsync(IReadOnlyList<OfferMessage> offers, WebhookHub webhooks, IProducer<byte[]?, byte[]> producer, string topic)
    {
        var work = new List<Task>(offers.Count * 2);
        foreach (var offer in offers)
        {
            work.Add(webhooks.PublishAsync(WebhookKinds.Offer, offer.OfferId, offer.Body));
            work.Add(producer.ProduceAsync(topic, new Message<byte[]?, byte[]>
            {
                Key = Encoding.UTF8.GetBytes(offer.UserId),
                Value = Encoding.UTF8.GetBytes(offer.Body),
                Headers = new Headers { { OfferIdHeader, Encoding.ASCII.GetBytes(offer.OfferId) } },
            }));
        }
        await Task.WhenAll(work);
    }

    /// <summary>The user's recent campaign decisions, oldest first, and the offers the caps count.</summary>
    public Task<OfferDecisions> DecisionsAsync(string userId, CancellationToken ct = default) =>
        Ledgers.Ask<OfferDecisions>(new GetOfferDecisions(userId), TimeSpan.FromSeconds(10), ct);

    /// <summary>The campaign's offers in all and per variant.</summary>
    public Task<CampaignStats> StatsAsync(string campaignId, CancellationToken ct = default) =>
        Campaigns.Ask<CampaignStats>(new GetCampaignStats(campaignId), TimeSpan.FromSeconds(10), ct);

    public void Dispose() => _subscription.Dispose();
}
