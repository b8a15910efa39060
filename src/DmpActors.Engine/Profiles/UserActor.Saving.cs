using Akka.Actor;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Making the profile durable: one save in flight at a time, fenced by the version this life knows is stored. Flushes
/// that arrive while a save runs wait for it, and share the next one if they need more. A save the store refuses as
/// stale (another life of the entity wrote meanwhile) reloads the entity; one it refuses for the row's data isolates it.
/// </summary>
public sealed partial class UserActor
{
    private void Flush(FlushProfile flush)
    {
        if (flush.Incarnation != _incarnation)
            AnswerEarlierLife(flush);
        else if (_forwarding?.Unmarked is { Count: > 0 })
            FlushSurvivorThenSelf(Sender, flush.CheckpointId);
        else if (!_versions.Dirty && !OutboxPending)
            Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, true, null));
        else
            FlushWhenSaved(Sender, flush.CheckpointId);
    }

    /// <summary>Answers <paramref name="requester"/> once everything applied so far is durable, and the segment changes
    /// it decided are acknowledged by Kafka (offsets are committed behind effects).</summary>
    private void FlushWhenSaved(IActorRef requester, long checkpointId, object? reply = null)
    {
        (_versions.FlushWaiters ??= []).Add(new FlushWaiter(requester, checkpointId, _versions.Current, reply));
        if (_versions.Dirty && !_versions.SaveInFlight) Save();
        else PublishOutbox();
    }

    /// <summary>A flush for events of an earlier life: they are durable if this life loaded them from the store.</summary>
    private void AnswerEarlierLife(FlushProfile flush)
    {
        var saved = flush.Version <= _versions.Loaded;
        Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, saved,
            saved ? null : $"entity restarted before version {flush.Version} was saved (it loaded version {_versions.Loaded})"));
    }

    private void Save()
    {
        _versions.Saving = _versions.Current;
        _savingOutbox = _profile.Segments.Outbox;
        _writer.Tell(new SaveProfile(_userId, ProfileCodec.Encode(_profile), _versions.Current, _versions.Stored, Self,
            IdentityCodec.Encode(_identity), _versions.Traced, _profile.Segments.MemberIds()) { Incarnation = _incarnation, Timers = TimersToSave() });
        _versions.Traced = null;
    }

    private void Saved(ProfileSaved saved)
    {
        _versions.Saved = Math.Max(_versions.Saved, saved.Version);
        _versions.Stored = Math.Max(_versions.Stored, saved.Version);
        TimersSaved();
        OutboxSaved();
        AnswerFlushes(error: null);
        if (_versions.FlushWaiters?.Exists(w => w.Version > _versions.Saved) == true || (_versions.Stopping && _versions.Dirty))
            Save(); // they asked for more than this save held
        else if (_versions.Stopping) StopWhenClean();
    }

    private void SaveFailed(ProfileSaveFailed failed)
    {
        _versions.Saving = _versions.Saved;
        _savingTimers = null;
        AnswerFlushes(failed.Error);
        if (_versions.Stopping) Timers.StartSingleTimer("stop-retry", StopUser.Instance, _settings.RetryDelay);
    }

    private void SaveRejected(ProfileSaveRejected rejected)
    {
        _versions.Saving = _versions.Saved;
        if (rejected.Kind == SaveRejection.Stale)
        {
            // Two lives built on the same version (a shard moved, or a restart raced a stop): the store's is kept,
            // this one reloads it, and the ingest replays the events this one had not made durable.
            AnswerFlushes($"not saved ({rejected.Reason}); the entity reloads and its events are replayed");
            throw new ProfileReloadException($"{Observability.LogRedaction.UserRef(_userId)}: {rejected.Reason}; reloading");
        }
        AnswerFlushes($"profile cannot be written and is isolated: {rejected.Reason}");
        // What this life applied is not durable and never will be: a new incarnation makes the checkpoint see that,
        // and the replayed events come back to the isolated entity, which dead-letters them.
        _incarnation = NewIncarnation();
        Isolate(IsolationKind.Unwritable, $"the store refuses the row: {rejected.Reason}");
    }

    private void AnswerFlushes(string? error)
    {
        _versions.FlushWaiters?.RemoveAll(waiter =>
        {
            if (error is null && (waiter.Version > _versions.Saved || OutboxPending)) return false;
            if (waiter.Reply is null) waiter.Requester.Tell(new ProfileFlushed(_userId, waiter.CheckpointId, error is null, error));
            else waiter.Requester.Tell(error is null ? waiter.Reply : new Status.Failure(new InvalidOperationException(error)));
            return true;
        });
    }

    private void StopWhenClean()
    {
        // A publication in flight is waited for, so a clean stop leaves no change to send twice; the outbox is durable
        // either way.
        if (!_versions.Dirty && !_publishing) Context.Stop(Self);
        else if (!_versions.SaveInFlight) Save();
    }

    private static long NewIncarnation() => Random.Shared.NextInt64(1, long.MaxValue);
}

/// <summary>The entity's state is not what the store holds; it restarts from the store.</summary>
public sealed class ProfileReloadException(string message) : Exception(message);
