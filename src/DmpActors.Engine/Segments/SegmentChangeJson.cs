using System.Globalization;
using System.Text.Json;
using DmpActors.Domain.Segments.Evaluation;

namespace DmpActors.Engine.Segments;

/// <summary>
/// The value of a record on the segment changes topic (docs/segments.md, change events):
/// <c>{"type":"segment_entered","change_id":"…","user_id":"…","segment_id":"…","version":2,"cause":{"kind":"event","id":"e-17"},"at":"…"}</c>.
/// The record's key is the user id, so one user's changes stay in order on one partition.
/// </summary>
public static class SegmentChangeJson
{
    public const string Entered = "segment_entered", Exited = "segment_exited";

    public static byte[] Write(SegmentChange change)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", change.Kind == SegmentChangeKind.Entered ? Entered : Exited);
            w.WriteString("change_id", change.ChangeId);
            w.WriteString("user_id", change.UserId);
            w.WriteString("segment_id", change.SegmentId);
            w.WriteNumber("version", change.Version);
            w.WriteStartObject("cause");
            w.WriteString("kind", SegmentCause.KindName(change.Cause.Kind));
            w.WriteString("id", change.Cause.Id);
            w.WriteEndObject();
            w.WriteString("at", change.At.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <exception cref="FormatException">Not a segment change record.</exception>
    public static SegmentChange Read(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            var kind = root.GetProperty("type").GetString() switch
            {
                Entered => SegmentChangeKind.Entered,
                Exited => SegmentChangeKind.Exited,
                var other => throw new FormatException($"unknown segment change type '{other}'"),
            };
            var cause = root.GetProperty("cause");
            var causeKind = cause.GetProperty("kind").GetString() switch
            {
                "event" => SegmentCauseKind.Event,
                "timer" => SegmentCauseKind.Timer,
                _ => SegmentCauseKind.Evaluation,
            };
            return new SegmentChange(root.GetProperty("change_id").GetString()!, root.GetProperty("user_id").GetString()!,
                root.GetProperty("segment_id").GetString()!, root.GetProperty("version").GetInt32(), kind,
                new SegmentCause(causeKind, cause.GetProperty("id").GetString()!),
                DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not a segment change: {e.Message}", e);
        }
    }
}
