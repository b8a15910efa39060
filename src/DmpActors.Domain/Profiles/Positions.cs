using DmpActors.Domain.Events;

namespace DmpActors.Domain.Profiles;

/// <summary>Where an event was read from Kafka; used to recognise replays exactly.</summary>
/// <param name="Generation">The life of the events log the offset belongs to. Offsets restart when the log does
/// (embedded broker restart, topic recreated), so marks from an older generation are not compared with it.</param>
public readonly record struct EventPosition(int Partition, long Offset, long Generation = 0);

public enum ApplyOutcome
{
    /// <summary>The event changed the profile.</summary>
    Applied,

    /// <summary>Same event id as one in the recent window: a producer duplicate. Nothing about the user changes;
    /// when the event has a position above its partition's high-water mark, the mark advances (a new profile instance).</summary>
    DuplicateEventId,

    /// <summary>Offset at or below the highest already applied from its partition: a Kafka replay. Profile unchanged.</summary>
    ReplayedPosition,

    /// <summary>The user's previous event from the same partition is not in the profile (lost on the way to an entity
    /// that stopped or crashed). Applying this one would leave a hole that offset-based replay detection could never
    /// fill, so it is refused and the ingest replays from its last commit. Profile unchanged.</summary>
    MissingPrevious,

    /// <summary>The event's id was erased and is in quarantine: dropped, the profile is not recreated.</summary>
    Quarantined,

    /// <summary>Applying the event threw: it goes to the dead-letter topic with the exception. The profile is as it
    /// was, except that the event's id and position are recorded (<see cref="ProfileReducer.Consume"/>), so a replay
    /// or a producer duplicate of it is recognised instead of failing again.</summary>
    Failed,

    /// <summary>The profile itself is quarantined (it could not be loaded, decoded or written): the event goes to
    /// the dead-letter topic and nothing about the user changes until an operator releases it.</summary>
    Isolated,
}

/// <summary>The profile after applying one event. Always keep <see cref="Profile"/>: it is the same instance for a
/// replay, and for a duplicate it differs only in the dedupe high-water mark.</summary>
/// <param name="TooLate">The event was applied to lifetime counters but was older than the allowed lateness for
/// the behaviour windows (the engine counts these in dmp.events.too_late).</param>
/// <param name="Effects">What the feature modules ask the entity to do beyond the profile (applied events only).</param>
public readonly record struct ApplyResult(UserProfile Profile, ApplyOutcome Outcome, bool TooLate = false, Modules.ModuleEffects Effects = default)
{
    /// <summary>How long segment evaluation took (Stopwatch ticks; 0 when none ran). A measurement, not part of the
    /// result: equality ignores it, so replays compare equal.</summary>
    public long SegmentTicks { get; init; }

    public bool Equals(ApplyResult other) =>
        Equals(Profile, other.Profile) && Outcome == other.Outcome && TooLate == other.TooLate && Effects.Equals(other.Effects);

    public override int GetHashCode() => HashCode.Combine(Profile, Outcome, TooLate, Effects);
}

/// <summary>The latest purchase by event time.</summary>
public sealed record PurchaseSummary(string OrderId, DateTimeOffset At, decimal Revenue, string? Currency, IReadOnlyList<LineItem> Items);

/// <summary>A consent decision for one purpose and the event time it was given at.</summary>
public readonly record struct ConsentState(bool Granted, DateTimeOffset At);
