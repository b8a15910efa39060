using Akka.Actor;
using Akka.Cluster.Sharding;
using DmpActors.Domain.Identity;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Identity messages of a settled entity (docs/identity.md), the other side of a merge (locked by its survivor), and
/// the first step of an unmerge. A merge or unmerge is one store transaction written by the survivor while the other
/// entity is locked; any outcome other than a clean commit or refusal restarts the entities from the store, and the
/// ingest replays the events they had not made durable. The decisions are <see cref="MergeProtocol"/>'s.
/// </summary>
public sealed partial class UserActor
{
    private IActorRef Users => ClusterSharding.Get(Context.System).ShardRegion(DmpEngine.UserTypeName);

    /// <summary>The identity messages every settled state shares; false when the message is not one of them.</summary>
    private bool IdentityMessage(object message)
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
                if (_identity.MergedInto is null) Stitch(retry.Request, retry.Attempt);
                return true;
            default:
                return false;
        }
    }

    // ----- The other side of a merge or unmerge -----

    private void LockSelf(LockForMerge request)
    {
        Sender.Tell(new EntityLocked(request.LockId, _userId, ProfileCodec.Encode(_profile), IdentityCodec.Encode(_identity), _versions.Current));
        // Twice the coordinator's timeout: it gives up first and says so; this is for a coordinator that died.
        Timers.StartSingleTimer("lock-timeout", new ProtocolTimedOut(request.LockId), _settings.MergeTimeout * 2);
        var lockId = request.LockId;
        Become(m => Locked(m, lockId));
    }

    /// <summary>Locked by a coordinator: it commits or releases; everything else waits.</summary>
    private void Locked(object message, string lockId)
    {
        switch (message)
        {
            case CommitLock commit when commit.LockId == lockId:
                _profile = ProfileCodec.Decode(commit.Profile);
                _identity = IdentityCodec.Decode(commit.Identity);
                _versions.DurableAt(commit.Version);
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
        Settle();
    }

    // ----- Unmerge, first step: the merge record -----

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
        _loader.Tell(new LoadMerge(merged.MergeId));
        var unmerging = new Unmerging(request.OtherId, merged.MergeId, replyTo);
        Become(m => LoadingMergeRecord(m, unmerging));
    }

    /// <summary>The merge record is loading; everything else waits.</summary>
    private void LoadingMergeRecord(object message, Unmerging unmerging)
    {
        var (otherId, mergeId, replyTo) = unmerging;
        switch (message)
        {
            case MergeLoaded { Record: var record }:
                var summary = record is null ? null : new MergeRecordSummary(record.MergeId, record.SurvivorId, record.AbsorbedId, record.UndoneAt is not null);
                switch (MergeProtocol.Unmerge(_userId, summary))
                {
                    case ProtocolStep.Lock { Protocol: var protocol }:
                        Coordinate(new Coordination(protocol, 0) { ReplyTo = replyTo, Record = record });
                        break;
                    case ProtocolStep.Fail { Why: var why }:
                        replyTo.Tell(new UnmergeResult(_userId, otherId, mergeId, why));
                        Settle();
                        break;
                }
                break;
            case StoreRequestFailed failed:
                replyTo.Tell(new UnmergeResult(_userId, otherId, mergeId, "loading the merge record failed: " + failed.Cause.GetBaseException().Message));
                Settle();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private sealed record Unmerging(string OtherId, string MergeId, IActorRef ReplyTo);

    private sealed record ProtocolTimedOut(string LockId);

    private sealed record RetryStitch(Domain.Modules.RequestMerge Request, int Attempt);
}

/// <summary>A merge, unmerge or forwarding step could not complete; the entity restarts from the store.</summary>
public sealed class IdentityProtocolException(string message) : Exception(message);
