using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Identity;

/// <summary>
/// What an id merged into another profile does with its events: it keeps its own dedupe marks (replays of its
/// events are recognised where they arrive) and forwards every new event to the survivor without a position, so
/// the survivor's marks only ever describe its own partition.
/// </summary>
public static class Tombstone
{
    /// <summary>Judges an event that arrives at a tombstone. An event to forward leaves the marks as they are: it is
    /// marked (<see cref="Mark"/>) only once the survivor's state holding it is durable, so a crash in between cannot
    /// make its replay look like a duplicate here while the survivor never got it.</summary>
    /// <returns>The tombstone's marks after the event, and <see cref="ApplyOutcome.Applied"/> when it is to be forwarded.</returns>
    public static (DedupeState Dedupe, ApplyOutcome Outcome) Admit(DedupeState dedupe, UserEvent e, EventPosition? position)
    {
        ArgumentNullException.ThrowIfNull(dedupe);
        ArgumentNullException.ThrowIfNull(e);
        if (position is { } p && dedupe.IsReplay(p)) return (dedupe, ApplyOutcome.ReplayedPosition);
        var idHash = DedupeState.HashOf(e.EventId);
        if (dedupe.Seen(idHash)) return (position is { } at ? dedupe.RecordPosition(at) : dedupe, ApplyOutcome.DuplicateEventId);
        return (dedupe, ApplyOutcome.Applied);
    }

    /// <summary>Records forwarded events as seen, once the survivor has made them durable.</summary>
    public static DedupeState Mark(DedupeState dedupe, IEnumerable<(string EventId, EventPosition? Position)> forwarded)
    {
        ArgumentNullException.ThrowIfNull(dedupe);
        foreach (var (eventId, position) in forwarded) dedupe = dedupe.Record(eventId, position);
        return dedupe;
    }

    /// <summary>The profile an absorbed id keeps once merged: nothing about the user, only its dedupe marks.</summary>
    public static UserProfile Of(UserProfile absorbed)
    {
        ArgumentNullException.ThrowIfNull(absorbed);
        return UserProfile.Empty(absorbed.Id) with { Dedupe = absorbed.Dedupe };
    }
}
