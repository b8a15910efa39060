using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>A message for one user entity; the shard extractor routes on <see cref="UserId"/>.</summary>
public interface IUserCommand : IWireMessage
{
    string UserId { get; }
}

/// <summary>
/// Apply one event. The entity answers the sender with <see cref="EventApplied"/>.
/// <see cref="TraceParent"/> (W3C) is the consume span's, when the event is traced.
/// </summary>
/// <param name="PreviousOffset">Offset of this user's previous event from the same partition that is not yet known to
/// be durable, or -1: the entity refuses the event (<see cref="ApplyOutcome.MissingPrevious"/>) unless it holds that one.</param>
public sealed record ApplyEvent(string UserId, UserEvent Event, EventPosition? Position, long DeliveryId, long PreviousOffset = -1,
    string? TraceParent = null) : IUserCommand;

/// <summary>
/// Apply a user's events in the order given (the ingest batches what waits for one user while its previous batch is
/// applied). The entity answers with one <see cref="EventsApplied"/> for the events it answers at once, each with its
/// own outcome, so one that fails or is isolated costs only itself; an event forwarded to a survivor is answered on
/// its own with <see cref="EventApplied"/> once the survivor has it.
/// </summary>
public sealed record ApplyEvents(string UserId, ApplyEvent[] Events) : IUserCommand;

/// <summary>The answers to the events of one <see cref="ApplyEvents"/>, in their order.</summary>
public sealed record EventsApplied(EventApplied[] Acks) : IWireMessage;

/// <summary>
/// The event is in the entity's memory (not yet durable). <see cref="Incarnation"/> identifies this life of the
/// entity, <see cref="Version"/> its state version after the event, and <see cref="LoadedVersion"/> the stored version
/// this incarnation started from: a later incarnation holds an earlier one's events only if it loaded a version at
/// least as high as theirs (hand-off and passivation save before stopping; a crash does not).
/// </summary>
/// <see cref="Detail"/> says why for <see cref="ApplyOutcome.Failed"/> and <see cref="ApplyOutcome.Isolated"/>, and
/// <see cref="Exception"/> names the exception type of a failed one.
public sealed record EventApplied(long DeliveryId, long Incarnation, ApplyOutcome Outcome, long Version, long LoadedVersion,
    string? Detail = null, string? Exception = null) : IWireMessage;

/// <summary>Make everything up to <see cref="Version"/> of <see cref="Incarnation"/> durable; answered with
/// <see cref="ProfileFlushed"/>. A different incarnation succeeds only if it loaded that version or a later one.</summary>
public sealed record FlushProfile(string UserId, long Incarnation, long Version, long CheckpointId) : IUserCommand;

public sealed record ProfileFlushed(string UserId, long CheckpointId, bool Succeeded, string? Error) : IWireMessage;

public sealed record GetProfile(string UserId) : IUserCommand;

/// <summary>Evaluates the user's segments against the node's current segment set without an event (the backfill after
/// a definition changes); the entity loads the profile first if it is not live, and answers
/// <see cref="SegmentsEvaluated"/> once the changes it made are as durable as an event's would be.</summary>
public sealed record EvaluateSegments(string UserId, long Revision) : IUserCommand;

/// <param name="Changes">How many memberships changed (entered or exited).</param>
public sealed record SegmentsEvaluated(string UserId, long Revision, int Changes) : IWireMessage;

/// <summary>The live profile, or null when the user has never been seen or is isolated (<see cref="Isolated"/> says why).</summary>
public sealed record ProfileReply(string UserId, UserProfile? Profile, string? Isolated = null) : IWireMessage;

/// <summary>Sent by the shard on passivation and hand-off: the entity saves what is dirty, then stops.</summary>
public sealed record StopUser : IWireMessage
{
    public static readonly StopUser Instance = new();
}
