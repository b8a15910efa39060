using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Profiles;
using DmpActors.Kafka.Messages;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Turns applied records into commit batches that are safe to commit: every interval (or every
/// <c>maxEvents</c>) it asks each user touched since the last checkpoint to flush, and emits the
/// offsets only when all of them are durable. One checkpoint is in flight at a time; records keep
/// flowing into the next one meanwhile. A failed or timed-out flush fails the stage.
/// </summary>
public sealed class CheckpointStage : GraphStage<FlowShape<IngestRecord, ICommittable>>
{
    private readonly IActorRef _users;
    private readonly TimeSpan _interval;
    private readonly int _maxEvents;
    private readonly TimeSpan _timeout;
    private readonly Action<CheckpointCompleted>? _onCompleted;

    public CheckpointStage(IActorRef users, TimeSpan interval, int maxEvents, TimeSpan timeout, Action<CheckpointCompleted>? onCompleted = null)
    {
        _users = users;
        _interval = interval;
        _maxEvents = maxEvents;
        _timeout = timeout;
        _onCompleted = onCompleted;
        Shape = new FlowShape<IngestRecord, ICommittable>(In, Out);
    }

    public Inlet<IngestRecord> In { get; } = new("checkpoint.in");
    public Outlet<ICommittable> Out { get; } = new("checkpoint.out");
    public override FlowShape<IngestRecord, ICommittable> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Epoch
    {
        public long Id;
        // Latest offset per partition; records of one partition arrive in order, so the last one wins.
        public readonly Dictionary<Confluent.Kafka.TopicPartition, CommittableOffset> Latest = new();
        // Per user: the entity life that applied its latest event in this epoch, and the version that event produced.
        public readonly Dictionary<string, (long Incarnation, long Version)> Touched = new(StringComparer.Ordinal);
        public int Records;
        public HashSet<string>? Waiting;
        public long StartedAt;
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly CheckpointStage _stage;
        private StageActor? _self;
        private Epoch _current = new() { Id = 1 };
        private Epoch? _inFlight;
        private ICommittable? _ready; // completed checkpoint waiting for downstream demand
        private bool _upstreamDone;

        public Logic(CheckpointStage stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, onPush: OnPush, onUpstreamFinish: () =>
            {
                _upstreamDone = true;
                MaybeStartCheckpoint(force: true);
                MaybeComplete();
            });
            SetHandler(stage.Out, onPull: () =>
            {
                if (_ready is not null) { Push(_stage.Out, _ready); _ready = null; MaybeStartCheckpoint(force: false); MaybeComplete(); }
                PullIfRoom();
            });
        }

        public override void PreStart()
        {
            _self = GetStageActor(OnMessage);
            ScheduleRepeatedly("tick", TimeSpan.FromMilliseconds(Math.Max(10, _stage._interval.TotalMilliseconds / 4)));
            _current.StartedAt = Stopwatch.GetTimestamp();
            Pull(_stage.In);
        }

        private void OnPush()
        {
            var record = Grab(_stage.In);
            _current.Latest[record.Offset.TopicPartition] = record.Offset;
            _current.Records++;
            if (record.Event is { } e)
            {
                var id = e.EntityId;
                if (_current.Touched.TryGetValue(id, out var earlier) && earlier.Incarnation != record.Incarnation
                    && record.LoadedVersion < earlier.Version)
                {
                    // The entity restarted between two of its events in this epoch without saving the earlier ones
                    // (a crash, not a hand-off). Replay from the last commit instead of guessing.
                    Fail($"{LogRedaction.UserRef(id)} restarted before its events of this checkpoint were saved");
                    return;
                }
                _current.Touched[id] = (record.Incarnation, record.Version);
            }
            if (_current.Records >= _stage._maxEvents) MaybeStartCheckpoint(force: true);
            PullIfRoom();
        }

        private void PullIfRoom()
        {
            // Keep at most one more full epoch behind a running checkpoint: bounded memory.
            var room = _inFlight is null && _ready is null || _current.Records < _stage._maxEvents;
            if (room && !HasBeenPulled(_stage.In) && !IsClosed(_stage.In)) Pull(_stage.In);
        }

        protected override void OnTimer(object timerKey)
        {
            if (_inFlight is { } running)
            {
                if (Stopwatch.GetElapsedTime(running.StartedAt) > _stage._timeout)
                    Fail($"checkpoint {running.Id} timed out after {_stage._timeout.TotalSeconds:0.#} s with {running.Waiting!.Count} profiles not durable");
                return;
            }
            if (Stopwatch.GetElapsedTime(_current.StartedAt) >= _stage._interval) MaybeStartCheckpoint(force: true);
        }

        private void MaybeStartCheckpoint(bool force)
        {
            if (_inFlight is not null || _ready is not null || _current.Records == 0) return;
            if (!force && _current.Records < _stage._maxEvents) return;
            var epoch = _current;
            _current = new Epoch { Id = epoch.Id + 1, StartedAt = Stopwatch.GetTimestamp() };
            epoch.StartedAt = Stopwatch.GetTimestamp();
            epoch.Waiting = new HashSet<string>(epoch.Touched.Keys, StringComparer.Ordinal);
            _inFlight = epoch;
            foreach (var (id, (incarnation, version)) in epoch.Touched)
                _stage._users.Tell(new FlushProfile(id, incarnation, version, epoch.Id), _self!.Ref);
            if (epoch.Waiting.Count == 0) Complete(epoch);
        }

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            if (received.Message is not ProfileFlushed flushed || _inFlight is not { } epoch || flushed.CheckpointId != epoch.Id) return;
            if (!flushed.Succeeded)
            {
                Fail($"checkpoint {epoch.Id}: profile of {LogRedaction.UserRef(flushed.UserId)} could not be made durable: {flushed.Error}");
                return;
            }
            epoch.Waiting!.Remove(flushed.UserId);
            if (epoch.Waiting.Count == 0) Complete(epoch);
        }

        private void Complete(Epoch epoch)
        {
            _inFlight = null;
            var took = Stopwatch.GetElapsedTime(epoch.StartedAt);
            DmpMetrics.Checkpoints.Add(1);
            DmpMetrics.CheckpointDuration.Record(took.TotalMilliseconds);
            var offsets = epoch.Latest.Values.Aggregate(CommittableOffsetBatch.Empty, (batch, offset) => batch.Updated(offset));
            _stage._onCompleted?.Invoke(new CheckpointCompleted(epoch.Id, epoch.Records, epoch.Touched.Count, took, offsets));
            if (IsAvailable(_stage.Out)) Push(_stage.Out, offsets);
            else _ready = offsets;
            if (_ready is null) MaybeStartCheckpoint(force: _current.Records >= _stage._maxEvents || _upstreamDone);
            MaybeComplete();
            PullIfRoom();
        }

        private void MaybeComplete()
        {
            if (!_upstreamDone || _inFlight is not null || _ready is not null) return;
            if (_current.Records > 0) { MaybeStartCheckpoint(force: true); return; }
            CompleteStage();
        }

        private void Fail(string message)
        {
            DmpMetrics.CheckpointFailures.Add(1);
            FailStage(new CheckpointFailedException(message));
        }
    }
}

public sealed record CheckpointCompleted(long Id, int Records, int Profiles, TimeSpan Took, CommittableOffsetBatch Offsets);

public sealed class CheckpointFailedException(string message) : Exception(message);
