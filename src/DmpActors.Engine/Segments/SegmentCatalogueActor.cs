using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Akka.Persistence;
using DmpActors.Domain.Segments;

namespace DmpActors.Engine.Segments;

/// <summary>
/// The one writer of segment definitions (a cluster singleton): an event-sourced actor whose journal holds one
/// <see cref="SegmentVersionRecorded"/> per version. <see cref="SegmentCatalogueState"/> decides what each command
/// records; after every recorded version (and after recovery) the live definitions are written to the replicated
/// register every node's <see cref="SegmentReplicaActor"/> reads.
/// </summary>
public sealed class SegmentCatalogueActor : ReceivePersistentActor
{
    public const string Persistence = "segment-catalogue";

    /// <summary>The replicated register of the live definitions; its clock is the catalogue revision.</summary>
    public static readonly LWWRegisterKey<CurrentSegments> Key = new("segment-catalogue");

    private static readonly Clock<CurrentSegments> RevisionClock = (_, value) => value.Revision;

    private readonly TimeProvider _clock;
    private readonly int _snapshotEvery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private SegmentCatalogueState _state = SegmentCatalogueState.Empty;

    public SegmentCatalogueActor(TimeProvider clock, int snapshotEvery)
    {
        _clock = clock;
        _snapshotEvery = snapshotEvery;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CatalogueSnapshot snapshot) _state = SegmentCatalogueState.From(snapshot.Versions);
        });
        Recover<SegmentVersionRecorded>(e => _state = _state.Apply(e.Version));
        Recover<RecoveryCompleted>(_ =>
        {
            _log.Info("Segment catalogue recovered: revision {0}, {1} live segments", _state.Revision, _state.Current.Count);
            Replicate();
        });

        Command<PutSegment>(Put);
        Command<DeleteSegment>(Delete);
        Command<ListSegments>(_ => Sender.Tell(Current()));
        Command<GetSegment>(get => Sender.Tell(new SegmentHistory(get.SegmentId, _state.History(get.SegmentId))));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Segment catalogue snapshot failed; recovery replays the journal"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Old segment catalogue snapshots were not deleted"));
        Command<UpdateSuccess>(_ => { });
        Command<IUpdateResponse>(r => _log.Debug("Segment catalogue replication: {0} (nodes catch up by gossip)", r));
    }

    public override string PersistenceId => Persistence;

    public static Props Props(TimeProvider clock, int snapshotEvery = 100) =>
        Akka.Actor.Props.Create(() => new SegmentCatalogueActor(clock, snapshotEvery));

    private void Put(PutSegment put)
    {
        PutDecision decision;
        try
        {
            decision = _state.Put(put.SegmentId, RuleDefinition.Define(put.Rule), put.Shadow, _clock.GetUtcNow());
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Sender.Tell(new SegmentCommandRefused(e.Message));
            return;
        }

        if (decision.Recorded is not { } version)
        {
            Sender.Tell(new SegmentPut(decision.Outcome, decision.Current));
            return;
        }

        Record(version, new SegmentPut(decision.Outcome, version));
    }

    private void Delete(DeleteSegment delete)
    {
        if (_state.Delete(delete.SegmentId, _clock.GetUtcNow()) is { } tombstone)
            Record(tombstone, new SegmentDeleted(delete.SegmentId, tombstone));
        else
            Sender.Tell(new SegmentDeleted(delete.SegmentId, null));
    }

    private void Record(SegmentVersion version, object reply)
    {
        var sender = Sender;
        Persist(new SegmentVersionRecorded(version), e =>
        {
            _state = _state.Apply(e.Version);
            sender.Tell(reply);
            Replicate();
            if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(new CatalogueSnapshot(_state.AllVersions()));
        });
    }

    private CurrentSegments Current() => new(_state.Revision, _state.Current);

    private void Replicate()
    {
        var node = Cluster.Get(Context.System).SelfUniqueAddress;
        var value = Current();
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Update(Key,
            new LWWRegister<CurrentSegments>(node, CurrentSegments.Empty, 0),
            new WriteAll(TimeSpan.FromSeconds(3)),
            register => register.WithValue(node, value, RevisionClock)));
    }
}
