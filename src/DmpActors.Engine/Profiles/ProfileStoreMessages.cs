using Akka.Actor;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

public sealed record LoadProfile(string UserId);

/// <param name="QuarantinedUntil">Set when the id was erased and its quarantine has not ended: it must stay empty.</param>
public sealed record ProfileLoaded(string UserId, byte[]? State, long Version, byte[]? Identity = null, DateTimeOffset? QuarantinedUntil = null);

public sealed record ProfileLoadFailed(string UserId, string Error);

/// <summary>
/// Ask the writer to store one profile version. <see cref="FlushRequester"/> (if any) is told
/// <see cref="ProfileFlushed"/> once the batch holding it commits. <see cref="Traced"/>: events whose
/// traces get a span for this write.
/// </summary>
public sealed record SaveProfile(string UserId, byte[] State, long Version, IActorRef Entity, IActorRef? FlushRequester, long CheckpointId, byte[]? Identity = null,
    IReadOnlyList<TracedEvent>? Traced = null);

public sealed record ProfileSaved(long Version);

public sealed record ProfileSaveFailed(long Version, string Error);
