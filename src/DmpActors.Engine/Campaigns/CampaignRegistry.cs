using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using DmpActors.Domain.Campaigns;

namespace DmpActors.Engine.Campaigns;

/// <summary>The live campaigns at a catalogue revision, parsed, and found by what triggers them.</summary>
public sealed class CampaignSet
{
    private readonly ILookup<(TriggerKind, string), CampaignDefinition> _byTrigger;

    private CampaignSet(long revision, IReadOnlyList<CampaignDefinition> campaigns)
    {
        Revision = revision;
        Campaigns = campaigns;
        _byTrigger = campaigns.OrderByDescending(c => c.Priority).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToLookup(c => (c.Trigger.Kind, c.Trigger.Target));
    }

    public static CampaignSet Empty { get; } = new(0, []);

    public long Revision { get; }
    public IReadOnlyList<CampaignDefinition> Campaigns { get; }

    /// <summary>The campaigns a trigger starts, highest priority first.</summary>
    public IEnumerable<CampaignDefinition> TriggeredBy(TriggerKind kind, string target) => _byTrigger[(kind, target)];

    public CampaignDefinition? Find(string id) => Campaigns.FirstOrDefault(c => c.Id == id);

    public static CampaignSet Build(CurrentCampaigns current) => new(current.Revision, current.Campaigns.Select(v => v.Parse()).ToList());
}

/// <summary>The campaigns this node decides with; its replica publishes each newer revision, readers take
/// <see cref="Current"/> without a lock.</summary>
public sealed class CampaignRegistry
{
    private CampaignSet _current = CampaignSet.Empty;

    public CampaignSet Current => Volatile.Read(ref _current);

    public void Publish(CampaignSet set)
    {
        CampaignSet seen;
        do
        {
            seen = Current;
            if (set.Revision <= seen.Revision) return;
        } while (!ReferenceEquals(Interlocked.CompareExchange(ref _current, set, seen), seen));
    }
}

/// <summary>The catalogue on one node: reads the replicated live definitions into the node's <see cref="CampaignRegistry"/>.</summary>
public sealed class CampaignReplicaActor : ReceiveActor
{
    public CampaignReplicaActor(CampaignRegistry registry)
    {
        var log = Context.GetLogger();
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Subscribe(CampaignCatalogueActor.Key, Self));
        Receive<Changed>(changed =>
        {
            var current = changed.Get(CampaignCatalogueActor.Key).Value;
            if (current.Revision <= registry.Current.Revision) return;
            registry.Publish(CampaignSet.Build(current));
            log.Info("Campaign set revision {0}: {1} campaigns", current.Revision, current.Campaigns.Count);
        });
    }

    public static Props Props(CampaignRegistry registry) => Akka.Actor.Props.Create(() => new CampaignReplicaActor(registry));
}
