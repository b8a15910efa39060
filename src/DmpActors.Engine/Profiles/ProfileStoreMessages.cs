using Akka.Actor;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

public sealed record LoadProfile(string UserId);

/// <param name="QuarantinedUntil">Set when the id was erased and its quarantine has not ended: it must stay empty.</param>
public sealed record ProfileLoaded(string UserId, byte[]? State, long Version, byte[]? Identity = null, DateTimeOffset? QuarantinedUntil = null);

public sealed record ProfileLoadFailed(string UserId, string Error);

/// <summary>
/// Ask the writer to store one profile version over <see cref="BaseVersion"/> (the version the entity knows is
/// stored; 0 for none). The entity is answered <see cref="ProfileSaved"/>, <see cref="ProfileSaveRejected"/> or
/// <see cref="ProfileSaveFailed"/> once the batch holding it ends. <see cref="Traced"/>: events whose traces get a
/// span for this write.
/// </summary>
/// <param name="Segments">The segments the profile is a member of (<see cref="Storage.StoredProfile.Segments"/>).</param>
public sealed record SaveProfile(string UserId, byte[] State, long Version, long BaseVersion, IActorRef Entity, byte[]? Identity = null,
    IReadOnlyList<TracedEvent>? Traced = null, IReadOnlyList<string>? Segments = null)
{
    /// <summary>The life of the entity that asked; every answer names it, so a later life ignores what was not its own.</summary>
    public long Incarnation { get; init; }
    /// <summary>The profile's timers for the store's due-time index (<see cref="Storage.StoredProfile.Timers"/>); null
    /// when they did not change since the last save.</summary>
    public IReadOnlyList<Domain.Modules.UserTimer>? Timers { get; init; }
}

/// <summary>An answer of the writer to the save of one life (<see cref="SaveProfile.Incarnation"/>) of an entity.</summary>
public abstract record SaveOutcome(long Version)
{
    public long Incarnation { get; init; }
}

public sealed record ProfileSaved(long Version) : SaveOutcome(Version);

/// <summary>The save failed for a reason of its batch (database unreachable, busy, disk full): try again later.</summary>
public sealed record ProfileSaveFailed(long Version, string Error) : SaveOutcome(Version);

public enum SaveRejection
{
    /// <summary>The stored version is not the one this entity built on: another life of it wrote meanwhile.</summary>
    Stale,

    /// <summary>The database refuses this row's data, so no retry can help.</summary>
    Unwritable,
}

/// <summary>This row, and only this row, was not written.</summary>
public sealed record ProfileSaveRejected(long Version, SaveRejection Kind, string Reason) : SaveOutcome(Version);

/// <summary>Entity → writer: deliver <see cref="Message"/> to <see cref="Target"/> (as from the sender) once no write of
/// <see cref="UserId"/> is queued or running; a starting entity's load goes this way.</summary>
public sealed record AfterWrites(string UserId, object Message, IActorRef Target);

// Identity transactions: the entity asks, the writer or loader does the I/O and answers the entity.

/// <summary>Survivor → writer: both profile rows and the merge record in one store transaction; answered with
/// <see cref="MergeWritten"/> or <see cref="StoreRequestFailed"/>.</summary>
public sealed record WriteMerge(string LockId, Storage.StoredProfile Survivor, Storage.StoredProfile Other, Storage.StoredMerge Record);

public sealed record MergeWritten(string LockId);

/// <summary>Entity → writer: erase these ids and quarantine them; answered with <see cref="ProfilesErased"/> or
/// <see cref="StoreRequestFailed"/>.</summary>
public sealed record EraseProfiles(IReadOnlyList<string> Ids, DateTimeOffset QuarantineUntil);

public sealed record ProfilesErased(DateTimeOffset QuarantineUntil);

/// <summary>Entity → loader: the merge record an unmerge undoes; answered with <see cref="MergeLoaded"/> or
/// <see cref="StoreRequestFailed"/>.</summary>
public sealed record LoadMerge(string MergeId);

/// <param name="Record">Null when the store holds no record with that id.</param>
public sealed record MergeLoaded(Storage.StoredMerge? Record);

/// <summary>An identity transaction or load did not complete; for a write, its outcome is unknown.</summary>
public sealed record StoreRequestFailed(Exception Cause);
