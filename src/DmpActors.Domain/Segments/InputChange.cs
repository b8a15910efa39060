using DmpActors.Domain.Events;

namespace DmpActors.Domain.Segments;

/// <summary>
/// What one applied event changed among the fields rules read, finer than its type alone: every event applies to
/// <c>first_seen</c>, <c>last_seen</c> and <c>window.sessions.*</c>, but most move only <c>last_seen</c> and leave the
/// session they continue uncounted again. Knowing that spares the rules reading those fields (and the window reads
/// they bring) on most events.
/// </summary>
/// <param name="FirstSeenMoved">The earliest event time changed (the first event, or one stamped before it).</param>
/// <param name="LastSeenMoved">The latest event time changed.</param>
/// <param name="SessionsChanged">The event started a session, or may have joined or split sessions (a late event).</param>
public readonly record struct InputChange(EventType Type, bool FirstSeenMoved, bool LastSeenMoved, bool SessionsChanged)
{
    /// <summary>Only the type is known: every field the type can change is taken as changed.</summary>
    public static InputChange AnyOf(EventType type) => new(type, true, true, true);
}

public sealed partial record BoundField
{
    /// <summary>Whether the event can have changed this field's value.</summary>
    public bool ChangedBy(in InputChange change) => Spec.Family switch
    {
        "first_seen" => change.FirstSeenMoved,
        "last_seen" => change.LastSeenMoved,
        "window.sessions" => change.SessionsChanged,
        _ => ChangedBy(change.Type),
    };
}
