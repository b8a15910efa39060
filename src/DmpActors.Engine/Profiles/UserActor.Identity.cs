using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Identity protocols of a user entity (docs/identity.md): stitching merges, the forwarding tombstone a merged id
/// becomes, unmerge, erasure and quarantine. A merge or unmerge is one store transaction written by the survivor
/// while the other entity is locked; any outcome other than a clean commit or refusal restarts the entities from
/// the store, and the ingest replays the events they had not made durable.
/// </summary>
public sealed partial class UserActor
{
    private DateTimeOffset? _quarantinedUntil;

    /// <summary>A merge refused because the other profile was coordinating one of its own is tried again this many
    /// times, after 100, 200, 400, 800 and 1,600 ms (±50 %, so two entities that met do not meet again), then refused.</summary>
    public const int MaxBusyRetries = 5;
    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(100);

    // Tombstone forwarding: events handed to the survivor, answered to the ingest once the survivor has them, and
    // marked as seen here only once the survivor has saved them (FlushSurvivorThenSelf).
    private Dictionary<long, Forward>? _forwarded; // created when the first event is forwarded
    private List<(string EventId, EventPosition? Position)>? _unmarked; // applied by the survivor, not yet marked here
    private DedupeState? _forwardedPositions; // positions this life forwarded: it holds them for the gap check
    private long _nextForward;
    private string? _forwardTarget;
    private long? _survivorIncarnation;
    private long _survivorVersion; // the survivor's version after the latest forwarded event

    // The protocol in progress (one at a time): what the behaviours below need to remember between messages.
    private Protocol? _protocol;     // coordinating a merge or unmerge
    private bool _protocolWriting;   // its store transaction has started: only its outcome ends the protocol
    private string? _lockedBy;       // locked by a coordinator
    private Unmerging? _unmerging;   // loading a merge record
    private Erasing? _erasing;       // erasing

    private IActorRef Users => ClusterSharding.Get(Context.System).ShardRegion(DmpEngine.UserTypeName);

    private bool Quarantined => _quarantinedUntil is { } until && until > _settings.Clock.GetUtcNow();

    /// <summary>The identity messages of the active behaviour; false when the message is not one of them.</summary>
    private bool IdentityProtocol(object message)
    {
        switch (message)
        {
            case EventApplied applied:
                ForwardedEventApplied(applied);
                return true;
            case SurvivorFlushed flushed:
                SurvivorFlushedThenSelf(flushed);
                return true;
            case LockForMerge request:
                LockSelf(request);
                return true;
            case GetIdentity get:
                if (_identity.MergedInto is { } survivor) Users.Forward(get with { UserId = survivor });
                else Sender.Tell(new IdentityReply(_userId, _profile.EventsApplied > 0 ? _profile : null, _identity, Quarantined ? _quarantinedUntil : null));
                return true;
            case EraseUser erase:
                Erase(erase);
                return true;
            case EnterQuarantine quarantine:
                Forget(quarantine.Until);
                return true;
            case UnmergeUser unmerge:
                Unmerge(unmerge);
                return true;
            case RetryStitch retry:
                // A tombstone by now: the other side folded this profile in, so the two are linked already.
                if (_identity.MergedInto is null) Stitch(retry.Event, retry.Attempt);
                return true;
            default:
                return false;
        }
    }

    // ----- Routing: quarantine and tombstones -----

    /// <summary>True when the event is not for this profile: dropped (quarantine) or forwarded (tombstone).</summary>
    /// <summary>An erased id in quarantine drops its events (before any other check: it records nothing).</summary>
    private bool RefusedAsQuarantined(ApplyEvent apply)
    {
        if (!Quarantined) return false;
        IdentityMetrics.EventsQuarantined.Add(1);
        Ack(Sender, apply.DeliveryId, ApplyOutcome.Quarantined);
        return true;
    }

    private bool Redirected(ApplyEvent apply)
    {
        if (_identity.MergedInto is not { } survivor) return false;

        var (dedupe, outcome) = Tombstone.Admit(_profile.Dedupe, apply.Event, apply.Position);
        if (!ReferenceEquals(dedupe, _profile.Dedupe))
        {
            _profile = _profile with { Dedupe = dedupe };
            _version++;
        }
        if (outcome != ApplyOutcome.Applied)
        {
            Ack(Sender, apply.DeliveryId, outcome);
            return true;
        }
        // Without a position: the survivor's replay marks describe its own partition only; this tombstone's marks
        // recognise replays of events routed by the old id.
        var id = ++_nextForward;
        (_forwarded ??= new Dictionary<long, Forward>())[id] = new Forward(Sender, apply.DeliveryId, apply.Event.EventId, apply.Position);
        if (apply.Position is { } at) _forwardedPositions = (_forwardedPositions ?? DedupeState.Empty).RecordPosition(at);
        _forwardTarget = survivor;
        Users.Tell(new ApplyEvent(survivor, apply.Event, null, id));
        IdentityMetrics.EventsForwarded.Add(1);
        return true;
    }

    private void ForwardedEventApplied(EventApplied applied)
    {
        if (_forwarded is null || !_forwarded.Remove(applied.DeliveryId, out var pending)) return;
        // The survivor restarted between two forwarded events: the earlier ones may be gone from its memory, and
        // this tombstone's marks would hide their replays. Restarting drops the marks, so the replays get through.
        if (_survivorIncarnation is { } known && known != applied.Incarnation)
            throw new IdentityProtocolException("the survivor restarted while events were forwarded to it; reloading");
        _survivorIncarnation = applied.Incarnation;
        _survivorVersion = Math.Max(_survivorVersion, applied.Version);
        (_unmarked ??= []).Add((pending.EventId, pending.Position));
        Ack(pending.ReplyTo, pending.DeliveryId, applied.Outcome, applied.Detail, applied.Exception);
    }

    /// <summary>A checkpoint that covers forwarded events is durable only when the survivor has saved them too.</summary>
    private void FlushSurvivorThenSelf(IActorRef requester, long checkpointId)
    {
        var marks = _unmarked!;
        _unmarked = null;
        var incarnation = _survivorIncarnation ?? 0;
        var version = _survivorVersion;
        _survivorIncarnation = null;
        _survivorVersion = 0;
        Users.Ask<ProfileFlushed>(new FlushProfile(_forwardTarget!, incarnation, version, checkpointId), _settings.MergeTimeout)
            .PipeTo(Self,
                success: flushed => new SurvivorFlushed(requester, checkpointId, flushed.Succeeded ? null : flushed.Error, marks),
                failure: ex => new SurvivorFlushed(requester, checkpointId, ex.Message, marks));
    }

    private void SurvivorFlushedThenSelf(SurvivorFlushed flushed)
    {
        if (flushed.Error is not null)
        {
            flushed.Requester.Tell(new ProfileFlushed(_userId, flushed.CheckpointId, false, "survivor: " + flushed.Error));
            throw new IdentityProtocolException("the survivor could not make forwarded events durable; reloading");
        }
        // Only now may the forwarded events count as seen here: the survivor's copy of them is durable.
        _profile = _profile with { Dedupe = Tombstone.Mark(_profile.Dedupe, flushed.Marks) };
        _version++;
        if (Dirty) FlushWhenSaved(flushed.Requester, flushed.CheckpointId);
        else flushed.Requester.Tell(new ProfileFlushed(_userId, flushed.CheckpointId, true, null));
    }

    // ----- Merge: this entity survives -----

    /// <param name="attempt">0 for the event itself, 1.. for retries after the other profile was busy.</param>
    private void Stitch(UserEvent e, int attempt = 0)
    {
        if (e.UserId == _userId) _identity = _identity.WithUserId(_userId);
        if (MergeRules.StitchedId(e, _userId) is not { } other || _identity.Holds(other)) return;
        var mergeId = IdentityHashes.MergeId(_userId, other, e.EventId);
        if (_settings.Rules.CheckIds(_userId, other) is { } blocked)
        {
            Refuse(mergeId, blocked, e.EventId);
            return;
        }
        if (_identity.WasUndone(mergeId))
        {
            // Writing it again would collide with its own undone record (and, failing, reload and replay forever).
            Refuse(mergeId, MergeRefusalReason.Unmerged, e.EventId);
            return;
        }
        Lock(other, mergeId);
        var pending = new PendingMerge(mergeId, other, e.EventId, Stopwatch.GetTimestamp());
        Coordinate(new Protocol(mergeId, other, locked => CommitMerge(pending, locked), reason =>
        {
            if (reason == MergeRefusalReason.Busy && attempt < MaxBusyRetries) RetryLater(e, attempt + 1);
            else Refuse(mergeId, reason, e.EventId);
        }, _ => { }));
    }

    /// <summary>The entity goes on with other messages meanwhile; a retry is in memory only (a crash before it
    /// leaves the ids unlinked, as a refusal would; a later identify or alias links them).</summary>
    private void RetryLater(UserEvent e, int attempt)
    {
        IdentityMetrics.MergeRetries.Add(1);
        var delay = BusyRetryDelay * Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble());
        Timers.StartSingleTimer("stitch-retry:" + e.EventId, new RetryStitch(e, attempt), delay);
    }

    private void CommitMerge(PendingMerge pending, EntityLocked locked)
    {
        var absorbed = new IdentityCodec.Side(ProfileCodec.Decode(locked.Profile), IdentityCodec.Decode(locked.Identity));
        var alreadyMerged = absorbed.Identity.MergedInto == _userId;
        var refused = alreadyMerged ? null : _settings.Rules.Check(_userId, _identity, absorbed.Identity);
        if (refused is { } reason) Refuse(pending.MergeId, reason, pending.TriggerEventId);
        if (alreadyMerged || refused is not null)
        {
            Users.Tell(new ReleaseLock(pending.OtherId, pending.MergeId, Reload: false));
            EndProtocol();
            return;
        }
        var now = _settings.Clock.GetUtcNow();
        var before = new IdentityCodec.MergeBefore(new IdentityCodec.Side(_profile, _identity), absorbed);
        var survivor = new IdentityCodec.Side(ProfileMerge.Merge(_profile, absorbed.Profile, _settings.ProfileRules), _identity.Absorb(pending.OtherId, absorbed.Identity, pending.MergeId, now));
        var tombstone = new IdentityCodec.Side(Tombstone.Of(absorbed.Profile), IdentityState.Empty.ForwardTo(_userId));
        var record = new StoredMerge(pending.MergeId, _userId, pending.OtherId, now, pending.TriggerEventId, IdentityCodec.EncodeMerge(before));
        WriteBoth(pending.MergeId, pending.OtherId, survivor, tombstone, locked.Version, record, () =>
        {
            IdentityMetrics.Merges.Add(1);
            IdentityMetrics.MergeDuration.Record(Stopwatch.GetElapsedTime(pending.Started).TotalMilliseconds);
            Log.Info("Merge {0} committed: {1} events folded in", pending.MergeId, absorbed.Profile.EventsApplied);
        });
    }

    /// <summary>Records a refused merge on the profile, in a metric and in a log line without the ids.</summary>
    private void Refuse(string mergeId, MergeRefusalReason reason, string triggerEventId)
    {
        _identity = _identity.WithRefusal(new MergeRefusal(_settings.Clock.GetUtcNow(), reason, triggerEventId));
        _version++;
        IdentityMetrics.MergesRefused.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        Log.Info("Merge {0} refused: {1}", mergeId, reason);
    }

    // ----- Unmerge -----

    private void Unmerge(UnmergeUser request)
    {
        if (_identity.MergedInto is { } survivor)
        {
            Users.Forward(request with { UserId = survivor });
            return;
        }
        var replyTo = Sender;
        if (_identity.Merged.LastOrDefault(m => m.Id == request.OtherId) is not { } merged)
        {
            replyTo.Tell(new UnmergeResult(_userId, request.OtherId, null, "not merged into this profile"));
            return;
        }
        _store.LoadMergeAsync(merged.MergeId).PipeTo(Self,
            success: record => new MergeRecordLoaded(record, replyTo),
            failure: ex => new ProtocolFailed(ex));
        _unmerging = new Unmerging(request.OtherId, merged.MergeId, replyTo);
        BecomeStacked(LoadingMergeRecord);
    }

    /// <summary>Unmerge, first step: the merge record is loading; everything else waits.</summary>
    private void LoadingMergeRecord(object message)
    {
        var (otherId, mergeId, replyTo) = _unmerging!;
        switch (message)
        {
            case MergeRecordLoaded loaded:
                UnbecomeStacked();
                _unmerging = null;
                if (loaded.Record is not { UndoneAt: null } record || record.SurvivorId != _userId)
                {
                    var why = loaded.Record is { } r && r.SurvivorId != _userId ? $"merged through '{r.SurvivorId}': unmerge it there first" : "no open merge record";
                    replyTo.Tell(new UnmergeResult(_userId, otherId, mergeId, why));
                    Stash.UnstashAll();
                    return;
                }
                var lockId = "unmerge:" + record.MergeId;
                Lock(record.AbsorbedId, lockId);
                Coordinate(new Protocol(lockId, record.AbsorbedId, locked => CommitUnmerge(record, locked, replyTo),
                    reason => replyTo.Tell(new UnmergeResult(_userId, record.AbsorbedId, record.MergeId, $"the other profile refused: {reason}")),
                    why => replyTo.Tell(new UnmergeResult(_userId, record.AbsorbedId, record.MergeId, "not undone: " + why))));
                break;
            case ProtocolFailed failed:
                UnbecomeStacked();
                _unmerging = null;
                replyTo.Tell(new UnmergeResult(_userId, otherId, mergeId, "loading the merge record failed: " + failed.Cause.GetBaseException().Message));
                Stash.UnstashAll();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void CommitUnmerge(StoredMerge record, EntityLocked locked, IActorRef replyTo)
    {
        var before = IdentityCodec.DecodeMerge(record.Payload);
        var mergedThen = ProfileMerge.Merge(before.Survivor.Profile, before.Absorbed.Profile, _settings.ProfileRules);
        var survivor = new IdentityCodec.Side(
            ProfileMerge.Unmerge(_profile, mergedThen, before.Survivor.Profile),
            _identity.Release(record.AbsorbedId, before.Absorbed.Identity, before.Survivor.Identity, record.MergeId));
        // The absorbed profile comes back as it was, with the replay marks its tombstone advanced since.
        var absorbed = before.Absorbed with { Profile = before.Absorbed.Profile with { Dedupe = ProfileCodec.Decode(locked.Profile).Dedupe } };
        WriteBoth("unmerge:" + record.MergeId, record.AbsorbedId, survivor, absorbed, locked.Version,
            record with { UndoneAt = _settings.Clock.GetUtcNow() }, () =>
            {
                IdentityMetrics.Unmerges.Add(1);
                Log.Info("Merge {0} undone", record.MergeId);
                replyTo.Tell(new UnmergeResult(_userId, record.AbsorbedId, record.MergeId, null));
            });
    }

    // ----- The two-entity transaction shared by merge and unmerge -----

    private void Lock(string otherId, string lockId)
    {
        Users.Tell(new LockForMerge(otherId, lockId, _userId));
        Timers.StartSingleTimer("protocol-timeout", new ProtocolTimedOut(lockId), _settings.MergeTimeout);
    }

    private void Coordinate(Protocol protocol)
    {
        _protocol = protocol;
        Become(Coordinating);
    }

    /// <summary>This entity coordinates: everything but the protocol's own messages waits in the stash.</summary>
    private void Coordinating(object message)
    {
        var (lockId, otherId, onLocked, onRefused, onAbandoned) = _protocol!;
        switch (message)
        {
            case EntityLocked locked when locked.LockId == lockId:
                onLocked(locked);
                break;
            case LockRefused refused when refused.LockId == lockId:
                onRefused(refused.Reason);
                EndProtocol();
                break;
            case BothWritten written when written.LockId == lockId:
                _profile = written.Survivor.Profile;
                _identity = written.Survivor.Identity;
                _version++;
                _savedVersion = _savingVersion = _storedVersion = _version;
                Users.Tell(new CommitLock(otherId, lockId, written.Other.State, written.Other.Identity, written.Other.Version));
                written.OnCommitted();
                EndProtocol();
                break;
            case ProtocolFailed failed:
                Abandon(otherId, lockId, failed.Cause.GetBaseException().Message, onAbandoned);
                break;
            case ProtocolTimedOut timeout when timeout.LockId == lockId && _protocolWriting:
                // Abandoning now would reload both while the transaction may still commit: what they loaded would
                // not be what the store ends up holding. The store's own timeouts bound the wait.
                Log.Warning("{0}: the store has not answered within {1} s; waiting for the outcome of its transaction", lockId, _settings.MergeTimeout.TotalSeconds);
                break;
            case ProtocolTimedOut timeout when timeout.LockId == lockId:
                Abandon(otherId, lockId, "the other profile did not answer in time", onAbandoned);
                break;
            // A coordinator never waits for another lock: two coordinators locking each other would wait forever.
            // Locked or erasing entities wait for no one, so they simply stash lock requests until they are free.
            case LockForMerge busy:
                Sender.Tell(new LockRefused(busy.LockId, MergeRefusalReason.Busy));
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void WriteBoth(string lockId, string otherId, IdentityCodec.Side survivor, IdentityCodec.Side other, long otherVersion, StoredMerge record, Action onCommitted)
    {
        var survivorRow = new StoredProfile(_userId, ProfileCodec.Encode(survivor.Profile), _version + 1, IdentityCodec.Encode(survivor.Identity));
        var otherRow = new StoredProfile(otherId, ProfileCodec.Encode(other.Profile), otherVersion + 1, IdentityCodec.Encode(other.Identity));
        _protocolWriting = true;
        _store.SaveMergeAsync(survivorRow, otherRow, record).PipeTo(Self,
            success: () => new BothWritten(lockId, survivor, otherRow, onCommitted),
            failure: ex => new ProtocolFailed(ex));
    }

    /// <summary>The outcome is unknown (the write failed or timed out): both entities restart from the store, and
    /// the ingest replays whatever they had not made durable, the stitching event included.</summary>
    private void Abandon(string otherId, string lockId, string why, Action<string> onAbandoned)
    {
        IdentityMetrics.MergeFailures.Add(1);
        onAbandoned(why);
        Users.Tell(new ReleaseLock(otherId, lockId, Reload: true));
        throw new IdentityProtocolException($"{lockId} abandoned: {why}");
    }

    private void EndProtocol()
    {
        Timers.Cancel("protocol-timeout");
        _protocol = null;
        _protocolWriting = false;
        BecomeActive();
    }

    // ----- Merge: this entity is the other side -----

    private void LockSelf(LockForMerge request)
    {
        if (Quarantined)
        {
            Sender.Tell(new LockRefused(request.LockId, MergeRefusalReason.Erased));
            return;
        }
        Sender.Tell(new EntityLocked(request.LockId, _userId, ProfileCodec.Encode(_profile), IdentityCodec.Encode(_identity), _version));
        // Twice the coordinator's timeout: it gives up first and says so; this is for a coordinator that died.
        Timers.StartSingleTimer("lock-timeout", new ProtocolTimedOut(request.LockId), _settings.MergeTimeout * 2);
        _lockedBy = request.LockId;
        Become(Locked);
    }

    /// <summary>Locked by a coordinator: it commits or releases; everything else waits.</summary>
    private void Locked(object message)
    {
        var lockId = _lockedBy!;
        switch (message)
        {
            case CommitLock commit when commit.LockId == lockId:
                _profile = ProfileCodec.Decode(commit.Profile);
                _identity = IdentityCodec.Decode(commit.Identity);
                _version = _savedVersion = _savingVersion = _storedVersion = commit.Version;
                EndLock();
                break;
            case ReleaseLock release when release.LockId == lockId:
                if (release.Reload) throw new IdentityProtocolException($"{lockId} abandoned by the coordinator; reloading");
                EndLock();
                break;
            case ProtocolTimedOut timeout when timeout.LockId == lockId:
                throw new IdentityProtocolException($"{lockId}: the coordinator went silent; reloading");
            default:
                Stash.Stash();
                break;
        }
    }

    private void EndLock()
    {
        Timers.Cancel("lock-timeout");
        _lockedBy = null;
        BecomeActive();
    }

    // ----- Erasure -----

    private void Erase(EraseUser request)
    {
        if (_identity.MergedInto is { } survivor)
        {
            Users.Forward(request with { UserId = survivor });
            return;
        }
        var replyTo = Sender;
        if (Quarantined || (!IsIsolated && _profile.EventsApplied == 0 && _identity.Merged.Count == 0))
        {
            replyTo.Tell(new UserErased(_userId, 0, null));
            return;
        }
        var ids = _identity.AllIds(_userId);
        var until = _settings.Clock.GetUtcNow() + _settings.QuarantinePeriod;
        _store.EraseAsync(ids, until).PipeTo(Self,
            success: () => new ErasureWritten(until),
            failure: ex => new ProtocolFailed(ex));
        _erasing = new Erasing(ids, replyTo);
        BecomeStacked(WaitingForErasure);
    }

    /// <summary>The erasure transaction is running; everything else waits.</summary>
    private void WaitingForErasure(object message)
    {
        var (ids, replyTo) = _erasing!;
        switch (message)
        {
            case ErasureWritten written:
                UnbecomeStacked();
                _erasing = null;
                foreach (var merged in ids.Skip(1)) Users.Tell(new EnterQuarantine(merged, written.Until));
                Forget(written.Until);
                IdentityMetrics.Erasures.Add(ids.Count);
                Log.Info("Erased a profile and {0} merged ids; quarantined until {1:O}", ids.Count - 1, written.Until);
                replyTo.Tell(new UserErased(_userId, ids.Count, written.Until));
                Stash.UnstashAll();
                break;
            case ProtocolFailed failed:
                UnbecomeStacked();
                _erasing = null;
                replyTo.Tell(new Status.Failure(failed.Cause));
                Stash.UnstashAll();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    /// <summary>Drops everything held about the user; the store rows are already gone (or were never there).</summary>
    private void Forget(DateTimeOffset until)
    {
        _profile = UserProfile.Empty(_userId);
        _identity = IdentityState.Empty;
        _quarantinedUntil = until;
        _savedVersion = _savingVersion = _version;
        _storedVersion = 0; // the rows are gone
        _unmarked = null;
        EndIsolation();
    }

    private sealed record PendingMerge(string MergeId, string OtherId, string TriggerEventId, long Started);

    private sealed record RetryStitch(UserEvent Event, int Attempt);

    private sealed record Protocol(string LockId, string OtherId, Action<EntityLocked> OnLocked, Action<MergeRefusalReason> OnRefused, Action<string> OnAbandoned);

    private sealed record Unmerging(string OtherId, string MergeId, IActorRef ReplyTo);

    private sealed record Erasing(IReadOnlyList<string> Ids, IActorRef ReplyTo);

    private sealed record BothWritten(string LockId, IdentityCodec.Side Survivor, StoredProfile Other, Action OnCommitted);

    private sealed record ProtocolFailed(Exception Cause);

    private sealed record ProtocolTimedOut(string LockId);

    private sealed record MergeRecordLoaded(StoredMerge? Record, IActorRef ReplyTo);

    private sealed record ErasureWritten(DateTimeOffset Until);

    private sealed record SurvivorFlushed(IActorRef Requester, long CheckpointId, string? Error, List<(string EventId, EventPosition? Position)> Marks);

    private readonly record struct Forward(IActorRef ReplyTo, long DeliveryId, string EventId, EventPosition? Position);
}

/// <summary>A merge, unmerge or forwarding step could not complete; the entity restarts from the store.</summary>
public sealed class IdentityProtocolException(string message) : Exception(message);
