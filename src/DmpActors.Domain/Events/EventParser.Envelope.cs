using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DmpActors.Domain.Events;

/// <summary>The envelope: top-level fields, ids and the timestamp.</summary>
public static partial class EventParser
{
    // ---- top level -------------------------------------------------------------------------------------------

    [Flags]
    private enum TopField : byte
    {
        None = 0,
        EventId = 1,
        Type = 2,
        UserId = 4,
        AnonymousId = 8,
        Timestamp = 16,
        Properties = 32,
        Traits = 64,
        Context = 128,
    }

    private static TopField ClassifyTop(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("type"u8) => TopField.Type,
        6 when name.SequenceEqual("traits"u8) => TopField.Traits,
        7 when name.SequenceEqual("user_id"u8) => TopField.UserId,
        7 when name.SequenceEqual("context"u8) => TopField.Context,
        8 when name.SequenceEqual("event_id"u8) => TopField.EventId,
        9 when name.SequenceEqual("timestamp"u8) => TopField.Timestamp,
        10 when name.SequenceEqual("properties"u8) => TopField.Properties,
        12 when name.SequenceEqual("anonymous_id"u8) => TopField.AnonymousId,
        _ => TopField.None,
    };

    private static string TopName(TopField f) => f switch
    {
        TopField.EventId => "event_id",
        TopField.Type => "type",
        TopField.UserId => "user_id",
        TopField.AnonymousId => "anonymous_id",
        TopField.Timestamp => "timestamp",
        TopField.Properties => "properties",
        TopField.Traits => "traits",
        _ => "context",
    };

    /// <summary>The current property name as unescaped UTF-8; escaped names are rare, so they may allocate.</summary>
    private static ReadOnlySpan<byte> NameOf(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    private static bool TryReadType(ref Utf8JsonReader reader, out EventType type)
    {
        if (!reader.ValueIsEscaped) return EventTypes.TryParse(reader.ValueSpan, out type);
        return EventTypes.TryParse(reader.GetString()!, out type);
    }

    private static bool TryReadId(ref Utf8JsonReader reader, string field, int maxLength, out string? id, out Rejection error)
    {
        id = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null) return true; // explicit null = absent
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new Rejection(RejectReason.WrongFieldType, $"{field} must be a string");
            return false;
        }

        // A UTF-16 code unit takes at most 3 UTF-8 bytes (6 when escaped): reject huge values before decoding.
        if (reader.ValueSpan.Length > maxLength * 6)
        {
            error = new Rejection(RejectReason.IdTooLong, $"{field} is longer than {maxLength} characters");
            return false;
        }

        if (!TryDecodeId(ref reader, out var s))
        {
            error = new Rejection(RejectReason.InvalidId, $"{field} is not valid text (invalid UTF-8, a lone surrogate or a control character)");
            return false;
        }

        if (s.Length == 0)
        {
            error = new Rejection(RejectReason.MissingId, $"{field} is empty");
            return false;
        }

        if (s.Length > maxLength)
        {
            error = new Rejection(RejectReason.IdTooLong, $"{field} is longer than {maxLength} characters");
            return false;
        }

        id = s;
        return true;
    }

    /// <summary>Ids become Kafka keys, entity names and database keys: they must be well-formed text (valid UTF-8,
    /// no lone surrogate, no control character), or two systems could read the same id differently.</summary>
    private static bool TryDecodeId(ref Utf8JsonReader reader, out string id)
    {
        id = "";
        if (!reader.ValueIsEscaped && !Utf8.IsValid(reader.ValueSpan)) return false;
        try
        {
            id = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate (\ud800) or invalid UTF-8 next to an escape
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c)) return false;
            if (!char.IsSurrogate(c)) continue;
            if (!char.IsHighSurrogate(c) || i + 1 == id.Length || !char.IsLowSurrogate(id[i + 1])) return false;
            i++;
        }

        return true;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset value, out Rejection error)
    {
        value = default;
        error = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new Rejection(RejectReason.WrongFieldType, "timestamp must be an ISO-8601 string");
            return false;
        }

        var raw = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

        if (raw.Length > 40 || raw.IndexOf((byte)'T') < 0 || !reader.TryGetDateTimeOffset(out value))
        {
            error = new Rejection(RejectReason.InvalidTimestamp, $"timestamp '{Clip(reader.GetString())}' is not ISO-8601");
            return false;
        }

        // STJ reads an offset-less time as local time; that would make the result depend on the host's zone.
        if (!HasExplicitOffset(raw))
        {
            error = new Rejection(RejectReason.InvalidTimestamp, $"timestamp '{Clip(reader.GetString())}' has no offset (Z or ±hh:mm)");
            return false;
        }

        return true;
    }

    private static bool HasExplicitOffset(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0) return false;
        if (s[^1] is (byte)'Z' or (byte)'z') return true;
        return s.Length >= 6 && s[^6] is (byte)'+' or (byte)'-' && s[^3] == (byte)':'
               && char.IsAsciiDigit((char)s[^5]) && char.IsAsciiDigit((char)s[^4])
               && char.IsAsciiDigit((char)s[^2]) && char.IsAsciiDigit((char)s[^1]);
    }
}
