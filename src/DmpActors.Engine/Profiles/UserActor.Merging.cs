using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// This entity coordinates a merge (it survives) or an unmerge: it locks the other entity, computes both sides, has
/// the writer commit both rows and the record in one transaction, then commits or releases the lock. What to do at
/// each step is <see cref="MergeProtocol"/>'s decision; this file carries the steps out.
/// </summary>
public sealed partial class UserActor
{
    /// <summary>Carries out a <see cref="RequestMerge"/> of the identity module.</summary>
    /// <param name="attempt">0 for the event itself, 1.. for retries after the other profile was busy.</param>
    private void Stitch(RequestMerge request, int attempt)
    {
        switch (MergeProtocol.Stitch(_userId, _identity, request, _settings.Rules, attempt))
        {
            case ProtocolStep.Refuse refuse:
                Refuse(refuse.MergeId, refuse.Reason, refuse.TriggerEventId);
                break;
            case ProtocolStep.Lock { Protocol: var protocol }:
                Coordinate(new Coordination(protocol, Stopwatch.GetTimestamp()));
                break;
        }
    }

    private void Coordinate(Coordination coordination)
    {
        var protocol = coordination.Protocol;
        Users.Tell(new LockForMerge(protocol.OtherId, protocol.LockId, _userId));
        Timers.StartSingleTimer("protocol-timeout", new ProtocolTimedOut(protocol.LockId), _settings.MergeTimeout);
        Become(m => Coordinating(m, coordination));
    }

    /// <summary>Coordinating: everything but the protocol's own messages waits in the stash.</summary>
    private void Coordinating(object message, Coordination coordination)
    {
        var protocol = coordination.Protocol;
        switch (message)
        {
            case EntityLocked locked when locked.LockId == protocol.LockId:
                OnLocked(coordination, locked);
                break;
            case LockRefused refused when refused.LockId == protocol.LockId:
                OnRefused(coordination, refused.Reason);
                EndProtocol();
                break;
            case MergeWritten written when written.LockId == protocol.LockId:
                Committed(coordination);
                EndProtocol();
                break;
            case StoreRequestFailed failed:
                Abandon(coordination, protocol.OnFailed(failed.Cause.GetBaseException().Message));
                break;
            case ProtocolTimedOut timeout when timeout.LockId == protocol.LockId:
                if (protocol.OnTimedOut() is ProtocolStep.Abandon abandon) Abandon(coordination, abandon);
                else Log.Warning("{0}: the store has not answered within {1} s; waiting for the outcome of its transaction",
                    protocol.LockId, _settings.MergeTimeout.TotalSeconds);
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

    private void OnLocked(Coordination coordination, EntityLocked locked)
    {
        var protocol = coordination.Protocol;
        var other = new IdentityCodec.Side(ProfileCodec.Decode(locked.Profile), IdentityCodec.Decode(locked.Identity));
        switch (protocol.OnLocked(_userId, _identity, other.Identity, _settings.Rules))
        {
            case ProtocolStep.Release { Refusal: var refusal }:
                if (refusal is { } reason) Refuse(protocol.MergeId, reason, protocol.TriggerEventId!);
                Users.Tell(new ReleaseLock(protocol.OtherId, protocol.LockId, Reload: false));
                EndProtocol();
                break;
            default:
                var (survivor, otherSide, record) = protocol.Kind == ProtocolKind.Merge
                    ? MergeSides(protocol, other)
                    : UnmergeSides(coordination.Record!, other.Profile);
                coordination.FoldedEvents = other.Profile.EventsApplied;
                WriteBoth(coordination, survivor, otherSide, locked.Version, record);
                break;
        }
    }

    private (IdentityCodec.Side Survivor, IdentityCodec.Side Other, StoredMerge Record) MergeSides(MergeProtocol protocol, IdentityCodec.Side absorbed)
    {
        var now = _settings.Clock.GetUtcNow();
        var before = new IdentityCodec.MergeBefore(new IdentityCodec.Side(_profile, _identity), absorbed);
        var survivor = new IdentityCodec.Side(ProfileMerge.Merge(_profile, absorbed.Profile, _settings.ProfileRules),
            _identity.Absorb(protocol.OtherId, absorbed.Identity, protocol.MergeId, now));
        var tombstone = new IdentityCodec.Side(Tombstone.Of(absorbed.Profile), IdentityState.Empty.ForwardTo(_userId));
        var record = new StoredMerge(protocol.MergeId, _userId, protocol.OtherId, now, protocol.TriggerEventId!, IdentityCodec.EncodeMerge(before));
        return (survivor, tombstone, record);
    }

    private (IdentityCodec.Side Survivor, IdentityCodec.Side Other, StoredMerge Record) UnmergeSides(StoredMerge record, UserProfile tombstone)
    {
        var before = IdentityCodec.DecodeMerge(record.Payload);
        var mergedThen = ProfileMerge.Merge(before.Survivor.Profile, before.Absorbed.Profile, _settings.ProfileRules);
        var survivor = new IdentityCodec.Side(
            ProfileMerge.Unmerge(_profile, mergedThen, before.Survivor.Profile),
            _identity.Release(record.AbsorbedId, before.Absorbed.Identity, before.Survivor.Identity, record.MergeId));
        // The absorbed profile comes back as it was, with the replay marks its tombstone advanced since.
        var absorbed = before.Absorbed with { Profile = before.Absorbed.Profile with { Dedupe = tombstone.Dedupe } };
        return (survivor, absorbed, record with { UndoneAt = _settings.Clock.GetUtcNow() });
    }

    private void WriteBoth(Coordination coordination, IdentityCodec.Side survivor, IdentityCodec.Side other, long otherVersion, StoredMerge record)
    {
        var protocol = coordination.Protocol;
        var survivorRow = new StoredProfile(_userId, ProfileCodec.Encode(survivor.Profile), _versions.Current + 1, IdentityCodec.Encode(survivor.Identity));
        var otherRow = new StoredProfile(protocol.OtherId, ProfileCodec.Encode(other.Profile), otherVersion + 1, IdentityCodec.Encode(other.Identity));
        coordination.Protocol = protocol.StartWriting();
        coordination.Survivor = survivor;
        coordination.OtherRow = otherRow;
        _writer.Tell(new WriteMerge(protocol.LockId, survivorRow, otherRow, record));
    }

    private void OnRefused(Coordination coordination, MergeRefusalReason reason)
    {
        var protocol = coordination.Protocol;
        switch (protocol.OnRefused(reason, Random.Shared.NextDouble()))
        {
            case ProtocolStep.RetryLater retry:
                // In memory only: a crash before it leaves the ids unlinked, as a refusal would.
                IdentityMetrics.MergeRetries.Add(1);
                var again = new RequestMerge(protocol.OtherId, protocol.TriggerEventId!);
                Timers.StartSingleTimer("stitch-retry:" + again.TriggerEventId, new RetryStitch(again, retry.Attempt), retry.Delay);
                break;
            case ProtocolStep.Refuse refuse:
                Refuse(refuse.MergeId, refuse.Reason, refuse.TriggerEventId);
                break;
            case ProtocolStep.Fail { Why: var why }:
                coordination.ReplyTo!.Tell(new UnmergeResult(_userId, protocol.OtherId, protocol.MergeId, why));
                break;
        }
    }

    /// <summary>The transaction committed: this entity takes the survivor's side, the other entity its own.</summary>
    private void Committed(Coordination coordination)
    {
        var (protocol, survivor, other) = (coordination.Protocol, coordination.Survivor!, coordination.OtherRow!);
        _profile = survivor.Profile;
        _identity = survivor.Identity;
        _versions.DurableAt(_versions.Current + 1);
        Users.Tell(new CommitLock(protocol.OtherId, protocol.LockId, other.State, other.Identity, other.Version));
        if (protocol.Kind == ProtocolKind.Merge)
        {
            IdentityMetrics.Merges.Add(1);
            IdentityMetrics.MergeDuration.Record(Stopwatch.GetElapsedTime(coordination.Started).TotalMilliseconds);
            Log.Info("Merge {0} committed: {1} events folded in", protocol.MergeId, coordination.FoldedEvents);
        }
        else
        {
            IdentityMetrics.Unmerges.Add(1);
            Log.Info("Merge {0} undone", protocol.MergeId);
            coordination.ReplyTo!.Tell(new UnmergeResult(_userId, protocol.OtherId, protocol.MergeId, null));
        }
    }

    /// <summary>The outcome is unknown (the write failed or timed out): both entities restart from the store, and
    /// the ingest replays whatever they had not made durable, the stitching event included.</summary>
    private void Abandon(Coordination coordination, ProtocolStep.Abandon abandon)
    {
        var protocol = coordination.Protocol;
        IdentityMetrics.MergeFailures.Add(1);
        coordination.ReplyTo?.Tell(new UnmergeResult(_userId, protocol.OtherId, protocol.MergeId, "not undone: " + abandon.Why));
        Users.Tell(new ReleaseLock(protocol.OtherId, protocol.LockId, Reload: true));
        throw new IdentityProtocolException($"{protocol.LockId} abandoned: {abandon.Why}");
    }

    private void EndProtocol()
    {
        Timers.Cancel("protocol-timeout");
        Settle();
    }

    /// <summary>Records a refused merge on the profile, in a metric and in a log line without the ids.</summary>
    private void Refuse(string mergeId, MergeRefusalReason reason, string triggerEventId)
    {
        _identity = _identity.WithRefusal(new MergeRefusal(_settings.Clock.GetUtcNow(), reason, triggerEventId));
        _versions.Current++;
        IdentityMetrics.MergesRefused.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        Log.Info("Merge {0} refused: {1}", mergeId, reason);
    }
}
