using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Tells each valid event to its user entity (and each invalid one to the dead-letter topic) and
/// emits records in consumption order once applied (or dead-lettered).
/// Acks come back to a stage actor (no ask per event); at most <c>maxInFlight</c> records are
/// outstanding, so a slow cluster back-pressures the Kafka source. A missing ack fails the stage
/// (the stream then restarts from committed offsets and dedupe absorbs the replay).
/// Each event names the user's previous event from the same partition while that one is not yet durable, so an
/// entity never applies an event on top of a lost one (<see cref="ApplyOutcome.MissingPrevious"/>).
/// Each user has one message in flight at a time: events that arrive while the user's entity works on the previous
/// ones wait here and go as one <see cref="ApplyEvents"/> when it has answered them, so a busy user costs one message
/// and one ack per batch rather than per event, and an idle one gets each event at once. The answer carries one
/// outcome per event: an event that fails or hits an isolated profile is dead-lettered on its own.
/// </summary>
public sealed class ShardDeliveryStage : GraphStage<FlowShape<IngestRecord, IngestRecord>>
{
    private readonly IActorRef _users;
    private readonly Func<IngestRecord, DeadLetter, Task> _deadLetter;
    private readonly int _maxInFlight;
    private readonly TimeSpan _ackTimeout;
    private readonly DurableOffsets _durable;

    public ShardDeliveryStage(IActorRef users, Func<IngestRecord, DeadLetter, Task> deadLetter, int maxInFlight, TimeSpan ackTimeout, DurableOffsets durable)
    {
        if (maxInFlight <= 0 || (maxInFlight & (maxInFlight - 1)) != 0)
            throw new ArgumentException("maxInFlight must be a power of two", nameof(maxInFlight));
        _users = users;
        _deadLetter = deadLetter;
        _maxInFlight = maxInFlight;
        _ackTimeout = ackTimeout;
        _durable = durable;
        Shape = new FlowShape<IngestRecord, IngestRecord>(In, Out);
    }

    /// <summary>Once the source has finished (a stop), how long to wait for outstanding acks before completing with
    /// what is acknowledged; the rest is not committed and is replayed by the next consumer.</summary>
    public TimeSpan StopDrain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Key and value bytes of the outstanding records, beside the count bound: a flood of large records
    /// back-pressures the source as soon as this many bytes wait (one record always goes through).</summary>
    public long MaxInFlightBytes { get; init; } = 32 * 1024 * 1024;

    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }

    public Inlet<IngestRecord> In { get; } = new("delivery.in");
    public Outlet<IngestRecord> Out { get; } = new("delivery.out");
    public override FlowShape<IngestRecord, IngestRecord> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly ShardDeliveryStage _stage;
        private readonly IngestRecord?[] _slots;
        private readonly long _mask;
        private readonly long _timeoutTicks;
        private long _head; // oldest record not yet emitted
        private long _next; // delivery id of the next record
        private long _inFlightBytes;
        private StageActor? _self;
        private Action<(IngestRecord Record, Exception? Error)>? _deadLettered;
        // (user, partition) → offset of the user's latest event sent from that partition, until it is durable.
        private readonly Dictionary<(string User, int Partition), long> _lastSent = new();
        // Users with a message in flight: how many of its events are unanswered, and the events waiting behind them.
        private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
        private readonly Stack<Lane> _spareLanes = new();

        public Logic(ShardDeliveryStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _slots = new IngestRecord?[stage._maxInFlight];
            _mask = stage._maxInFlight - 1;
            _timeoutTicks = (long)(stage._ackTimeout.TotalSeconds * Stopwatch.Frequency);
            SetHandler(stage.In, onPush: OnPush, onUpstreamFinish: () =>
            {
                if (_head == _next) CompleteStage();
                else ScheduleOnce("stop-drain", stage.StopDrain);
            });
            // Emitting frees room (slots and bytes): pull again from here too, not only when an ack arrives.
            SetHandler(stage.Out, onPull: () => { TryEmit(); PullIfRoom(); });
        }

        public override void PreStart()
        {
            _self = GetStageActor(OnMessage);
            _deadLettered = GetAsyncCallback<(IngestRecord Record, Exception? Error)>(result =>
            {
                if (result.Error is not null)
                {
                    FailStage(result.Error);
                    return;
                }
                result.Record.Done = true;
                DmpTracing.Delivered(result.Record.Span, null);
                TryEmit();
                PullIfRoom();
            });
            ScheduleRepeatedly("ack-timeout", TimeSpan.FromSeconds(Math.Max(0.05, _stage._ackTimeout.TotalSeconds / 4)));
            Pull(_stage.In);
        }

        private void OnPush()
        {
            var record = Grab(_stage.In);
            var id = _next++;
            record.DeliveryId = id;
            _slots[id & _mask] = record;
            _inFlightBytes += record.Size;
            record.SentAt = Stopwatch.GetTimestamp();
            if (record.Event is { } e)
            {
                var key = (e.EntityId, record.Position.Partition);
                var previous = _lastSent.TryGetValue(key, out var offset) && offset >= _stage._durable.Next(key.Partition) ? offset : -1;
                _lastSent[key] = record.Position.Offset;
                var apply = new ApplyEvent(e.EntityId, e, record.Position, id, previous, record.Span?.Id);
                if (_lanes.TryGetValue(e.EntityId, out var lane)) lane.Waiting.Add(apply);
                else
                {
                    lane = _spareLanes.Count > 0 ? _spareLanes.Pop() : new Lane();
                    _lanes.Add(e.EntityId, lane);
                    lane.Unanswered = 1;
                    _stage._users.Tell(apply, _self!.Ref);
                }
            }
            else DeadLetter(record, Ingest.DeadLetter.Of(record.Rejection));
            TryEmit();
            PullIfRoom();
        }

        /// <summary>The record is done once the dead-letter topic has it: only then may its offset be committed.</summary>
        private void DeadLetter(IngestRecord record, DeadLetter reason)
        {
            var deadLettered = _deadLettered!;
            _stage._deadLetter(record, reason).ContinueWith(
                t => deadLettered((record, t.Exception?.GetBaseException())), TaskContinuationOptions.ExecuteSynchronously);
        }

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            switch (received.Message)
            {
                case EventApplied applied:
                    Answered(applied);
                    break;
                case EventsApplied batch:
                    foreach (var applied in batch.Acks)
                        if (!Answered(applied)) return;
                    break;
                default:
                    return;
            }
            TryEmit();
            PullIfRoom();
        }

        /// <summary>Records one answer; false once the stage has failed.</summary>
        private bool Answered(EventApplied applied)
        {
            var record = _slots[applied.DeliveryId & _mask];
            if (record is null || record.DeliveryId != applied.DeliveryId || record.Done || record.Outcome is not null) return true;
            var user = record.Event!.EntityId;
            if (applied.Outcome == ApplyOutcome.MissingPrevious)
            {
                FailStage(new InvalidOperationException(
                    $"user '{user}' lost an earlier event from partition {record.Position.Partition} (an entity stopped or crashed before applying it); replaying from the last commit"));
                return false;
            }
            record.Incarnation = applied.Incarnation;
            record.Version = applied.Version;
            record.LoadedVersion = applied.LoadedVersion;
            record.Outcome = applied.Outcome;
            if (Ingest.DeadLetter.For(applied) is { } letter)
            {
                // One event or one profile that cannot be handled costs only itself; the partition moves on.
                if (applied.Outcome == ApplyOutcome.Failed)
                    DmpMetrics.EventsFailed.Add(1, new KeyValuePair<string, object?>("exception", applied.Exception));
                DeadLetter(record, letter);
            }
            else
            {
                record.Done = true;
                if (applied.Outcome == ApplyOutcome.Applied) DmpMetrics.EventsApplied.Add(1);
                else if (applied.Outcome is ApplyOutcome.DuplicateEventId or ApplyOutcome.ReplayedPosition) DmpMetrics.EventsDuplicate.Add(1);
                // Quarantined: the entity counted it in dmp.events.quarantined.
                DmpTracing.Delivered(record.Span, applied.Outcome);
            }
            SendWaiting(user);
            return true;
        }

        /// <summary>Once the user's entity has answered everything sent to it, the events that waited go as one message.</summary>
        private void SendWaiting(string user)
        {
            if (!_lanes.TryGetValue(user, out var lane) || --lane.Unanswered > 0) return;
            var waiting = lane.Waiting;
            if (waiting.Count == 0)
            {
                _lanes.Remove(user);
                _spareLanes.Push(lane);
                return;
            }
            lane.Unanswered = waiting.Count;
            _stage._users.Tell(waiting.Count == 1 ? waiting[0] : (object)new ApplyEvents(user, waiting.ToArray()), _self!.Ref);
            waiting.Clear();
        }

        /// <summary>Once a user's latest event is durable, every later life of the entity holds it: stop naming it.</summary>
        private void ForgetDurable()
        {
            List<(string, int)>? durable = null;
            foreach (var (key, offset) in _lastSent)
                if (offset < _stage._durable.Next(key.Partition)) (durable ??= []).Add(key);
            if (durable is null) return;
            foreach (var key in durable) _lastSent.Remove(key);
        }

        /// <summary>A stop must not wait out an entity that does not answer: say what is left and complete.</summary>
        private void StopWithoutTheRest()
        {
            var waiting = _slots.Where(r => r is { Done: false }).Select(r => r!).OrderBy(r => r.DeliveryId).ToList();
            if (waiting.Count > 0 && _stage.Log is { } log)
            {
                var oldest = waiting[0];
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(log,
                    "Stopping with {Count} records not acknowledged after {Drain} s (the oldest: {Record} of partition {Partition} at offset {Offset}); they are not committed and will be replayed",
                    waiting.Count, _stage.StopDrain.TotalSeconds,
                    oldest.Event is { } e ? $"event '{e.EventId}' of {LogRedaction.UserRef(e.EntityId)}" : "a dead letter",
                    oldest.Position.Partition, oldest.Position.Offset);
            }
            CompleteStage();
        }

        private void TryEmit()
        {
            if (_head == _next || !IsAvailable(_stage.Out)) return;
            var slot = _head & _mask;
            var record = _slots[slot]!;
            if (!record.Done) return;
            _slots[slot] = null;
            _head++;
            _inFlightBytes -= record.Size;
            Push(_stage.Out, record);
            if (_head == _next && IsClosed(_stage.In)) CompleteStage();
        }

        private void PullIfRoom()
        {
            var room = _next - _head < _slots.Length && (_inFlightBytes < _stage.MaxInFlightBytes || _head == _next);
            if (room && !HasBeenPulled(_stage.In) && !IsClosed(_stage.In)) Pull(_stage.In);
        }

        protected override void OnTimer(object timerKey)
        {
            if (timerKey is "stop-drain")
            {
                StopWithoutTheRest();
                return;
            }
            ForgetDurable();
            if (_head == _next) return;
            var record = _slots[_head & _mask]!;
            if (!record.Done && Stopwatch.GetTimestamp() - record.SentAt > _timeoutTicks)
                FailStage(new TimeoutException(record.Event is { } e
                    ? $"{LogRedaction.UserRef(e.EntityId)} did not acknowledge event '{e.EventId}' within {_stage._ackTimeout.TotalSeconds:0.#} s"
                    : $"the dead-letter topic did not acknowledge record {record.Position.Partition}/{record.Position.Offset} within {_stage._ackTimeout.TotalSeconds:0.#} s"));
        }
    }

    private sealed class Lane
    {
        public int Unanswered;
        public readonly List<ApplyEvent> Waiting = [];
    }
}
