using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Akka.Persistence;
using DmpActors.Domain.Campaigns;

namespace DmpActors.Engine.Campaigns;

/// <summary>
/// The one writer of campaign definitions (a cluster singleton): an event-sourced actor with one
/// <see cref="CampaignVersionRecorded"/> per version; <see cref="CampaignCatalogueState"/> decides what a command records.
/// After each version (and after recovery) the live definitions go to a replicated register every node's
/// <see cref="CampaignReplicaActor"/> reads.
/// </summary>
public sealed class CampaignCatalogueActor : ReceivePersistentActor
{
    public static readonly LWWRegisterKey<CurrentCampaigns> Key = new("campaign-catalogue");

    private readonly TimeProvider _clock;
    private readonly int _snapshotEvery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private CampaignCatalogueState _state = CampaignCatalogueState.Empty;

    public CampaignCatalogueActor(TimeProvider clock, int snapshotEvery)
    {
        (_clock, _snapshotEvery) = (clock, snapshotEvery);
        Recover<SnapshotOffer>(o => _state = o.Snapshot is CampaignCatalogueSnapshot s ? CampaignCatalogueState.From(s.Versions) : _state);
        Recover<CampaignVersionRecorded>(e => _state = _state.Apply(e.Version));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Campaign catalogue recovered: revision {0}, {1} live campaigns", _state.Revision, _state.Live.Count);
            Replicate();
        });

        Command<PutCampaign>(Put);
        Command<PauseCampaign>(pause => Answer(pause.CampaignId, _state.SetPaused(pause.CampaignId, pause.Paused, _clock.GetUtcNow())));
        Command<DeleteCampaign>(Delete);
        Command<ListCampaigns>(_ => Sender.Tell(new CurrentCampaigns(_state.Revision, _state.Live)));
        Command<GetCampaign>(get => Sender.Tell(new CampaignHistory(get.CampaignId, _state.History(get.CampaignId))));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Campaign catalogue snapshot failed; recovery replays the journal"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<IUpdateResponse>(_ => { }); // nodes that missed the write catch up by gossip
    }

    public override string PersistenceId => "campaign-catalogue";

    public static Props Props(TimeProvider clock, int snapshotEvery = 100) =>
        Akka.Actor.Props.Create(() => new CampaignCatalogueActor(clock, snapshotEvery));

    private void Put(PutCampaign put)
    {
        var (definition, errors) = CampaignJson.Read(put.CampaignId, put.Definition);
        if (definition is null) Sender.Tell(new CampaignRefused(put.CampaignId, errors));
        else Answer(put.CampaignId, _state.Put(definition, _clock.GetUtcNow()));
    }

    private void Answer(string id, CampaignChange? change)
    {
        if (change is null)
            Sender.Tell(new CampaignRefused(id, [new FieldError("id", $"campaign '{id}' is not defined")]));
        else if (change.Recorded is { } version)
            Record(version, new CampaignChanged(id, change.Outcome.ToString().ToLowerInvariant(), version));
        else
            Sender.Tell(new CampaignChanged(id, "unchanged", change.Current));
    }

    private void Delete(DeleteCampaign delete)
    {
        if (_state.Delete(delete.CampaignId, _clock.GetUtcNow()) is { } tombstone)
            Record(tombstone, new CampaignChanged(delete.CampaignId, "deleted", tombstone));
        else
            Sender.Tell(new CampaignChanged(delete.CampaignId, "unchanged", null));
    }

    private void Record(CampaignVersion version, CampaignChanged reply)
    {
        var sender = Sender;
        Persist(new CampaignVersionRecorded(version), e =>
        {
            _state = _state.Apply(e.Version);
            sender.Tell(reply);
            Replicate();
            if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(new CampaignCatalogueSnapshot(_state.AllVersions()));
        });
    }

    private void Replicate()
    {
        var node = Cluster.Get(Context.System).SelfUniqueAddress;
        var value = new CurrentCampaigns(_state.Revision, _state.Live);
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Update(Key,
            new LWWRegister<CurrentCampaigns>(node, CurrentCampaigns.Empty, 0), new WriteAll(TimeSpan.FromSeconds(3)),
            register => register.WithValue(node, value, (_, v) => v.Revision)));
    }
}
