using System.Diagnostics.CodeAnalysis;

namespace DmpActors.Domain.Events;

/// <summary>Why an event was rejected. Each has a stable snake_case wire code (<see cref="Rejection.Code"/>).</summary>
public enum RejectReason
{
    MalformedJson,
    Oversize,
    UnknownType,
    MissingId,
    IdTooLong,
    InvalidId,
    InvalidTimestamp,
    FutureTimestamp,
    WrongFieldType,
    MissingField,
    OutOfRange,

    /// <summary>The parser threw: a defect in DmpActors, reported per event rather than failing the request or stream.</summary>
    ParseFailed,
}

/// <summary>A rejection: the reason and a short human-readable detail naming the field (never more than 64 chars of input).</summary>
public readonly record struct Rejection(RejectReason Reason, string Detail)
{
    /// <summary>The snake_case wire code, e.g. <c>wrong_field_type</c>; used for DLQ headers and metric labels.</summary>
    public string Code => CodeOf(Reason);

    public static string CodeOf(RejectReason reason) => reason switch
    {
        RejectReason.MalformedJson => "malformed_json",
        RejectReason.Oversize => "oversize",
        RejectReason.UnknownType => "unknown_type",
        RejectReason.MissingId => "missing_id",
        RejectReason.IdTooLong => "id_too_long",
        RejectReason.InvalidId => "invalid_id",
        RejectReason.InvalidTimestamp => "invalid_timestamp",
        RejectReason.FutureTimestamp => "future_timestamp",
        RejectReason.WrongFieldType => "wrong_field_type",
        RejectReason.MissingField => "missing_field",
        RejectReason.OutOfRange => "out_of_range",
        RejectReason.ParseFailed => "parse_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public override string ToString() => $"{Code}: {Detail}";
}

/// <summary>Outcome of parsing one event: either a valid <see cref="UserEvent"/> or a <see cref="Rejection"/>.</summary>
public readonly struct ParseResult
{
    private ParseResult(UserEvent? e, Rejection rejection)
    {
        Event = e;
        Rejection = rejection;
    }

    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsValid => Event is not null;

    public UserEvent? Event { get; }

    /// <summary>Meaningful only when <see cref="IsValid"/> is false.</summary>
    public Rejection Rejection { get; }

    public static ParseResult Ok(UserEvent e) => new(e ?? throw new ArgumentNullException(nameof(e)), default);

    public static ParseResult Rejected(RejectReason reason, string detail) => new(null, new Rejection(reason, detail));

    public override string ToString() => IsValid ? $"ok {EventTypes.ToWire(Event.Type)} {Event.EventId}" : Rejection.ToString();
}
