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
    private long _storedVersion; // the version the store holds, as far as this life knows (0: no row)
    private List<FlushWaiter>? _flushWaiters;

    private bool SaveInFlight => _savingVersion > _savedVersion;

    /// <summary>Answers <paramref name="requester"/> once everything applied so far is durable.</summary>
    private void FlushWhenSaved(IActorRef requester, long checkpointId)
    {
        (_flushWaiters ??= []).Add(new FlushWaiter(requester, checkpointId, _version));
        if (!SaveInFlight) Save();
    }

    /// <summary>A flush for events of an earlier life: they are durable if this life loaded them from the store.</summary>
    private void AnswerEarlierLife(FlushProfile flush)
    {
        var saved = flush.Version <= _loadedVersion;
        Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, saved,
            saved ? null : $"entity restarted before version {flush.Version} was saved (it loaded version {_loadedVersion})"));
    }

    private void Save()
    {
        _savingVersion = _version;
        _writer.Tell(new SaveProfile(_userId, ProfileCodec.Encode(_profile), _version, _storedVersion, Self, IdentityCodec.Encode(_identity), _traced));
        _traced = null;
    }

    private void Saved(ProfileSaved saved)
    {
        _savedVersion = Math.Max(_savedVersion, saved.Version);
        _storedVersion = Math.Max(_storedVersion, saved.Version);
        AnswerFlushes(error: null);
        if (_flushWaiters is { Count: > 0 } || (_stopping && Dirty)) Save(); // they asked for more than this save held
        else if (_stopping) StopWhenClean();
    }

    private void SaveFailed(ProfileSaveFailed failed)
    {
        _savingVersion = _savedVersion;
        AnswerFlushes(failed.Error);
        if (_stopping) Timers.StartSingleTimer("stop-retry", StopUser.Instance, _settings.RetryDelay);
    }

    private void SaveRejected(ProfileSaveRejected rejected)
    {
        _savingVersion = _savedVersion;
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
        _flushWaiters?.RemoveAll(waiter =>
        {
            if (error is null && waiter.Version > _savedVersion) return false;
            waiter.Requester.Tell(new ProfileFlushed(_userId, waiter.CheckpointId, error is null, error));
            return true;
        });
    }

    private static long NewIncarnation() => Random.Shared.NextInt64(1, long.MaxValue);

    private readonly record struct FlushWaiter(IActorRef Requester, long CheckpointId, long Version);
}

/// <summary>The entity's state is not what the store holds; it restarts from the store.</summary>
public sealed class ProfileReloadException(string message) : Exception(message);
