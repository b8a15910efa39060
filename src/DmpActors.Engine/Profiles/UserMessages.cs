using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <summary>A message for one user entity; the shard extractor routes on <see cref="UserId"/>.</summary>
public interface IUserCommand
{
    string UserId { get; }
}

/// <summary>
/// Apply one event. The entity answers the sender with <see cref="EventApplied"/>.
/// <see cref="TraceParent"/> (W3C) is the consume span's, when the event is traced.
/// </summary>
public sealed record ApplyEvent(string UserId, UserEvent Event, EventPosition? Position, long DeliveryId, string? TraceParent = null) : IUserCommand;

/// <summary>
/// The event is in the entity's memory (not yet durable). <see cref="Incarnation"/> identifies this
/// life of the entity: a checkpoint only trusts a flush from the incarnation that applied its events.
/// </summary>
public sealed record EventApplied(long DeliveryId, long Incarnation, ApplyOutcome Outcome);

/// <summary>Make everything applied so far durable; answered with <see cref="ProfileFlushed"/>.</summary>
public sealed record FlushProfile(string UserId, long Incarnation, long CheckpointId) : IUserCommand;

public sealed record ProfileFlushed(string UserId, long CheckpointId, bool Succeeded, string? Error);

public sealed record GetProfile(string UserId) : IUserCommand;

/// <summary>The live profile, or null when the user has never been seen.</summary>
public sealed record ProfileReply(string UserId, UserProfile? Profile);

/// <summary>Sent by the shard on passivation and hand-off: the entity saves what is dirty, then stops.</summary>
public sealed record StopUser
{
    public static readonly StopUser Instance = new();
}
