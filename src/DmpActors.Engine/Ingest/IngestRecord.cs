using System.Diagnostics;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Kafka.Messages;

namespace DmpActors.Engine.Ingest;

/// <summary>One consumed record on its way through the ingest stages (mutable to keep the hot path lean).</summary>
public sealed class IngestRecord
{
    public required CommittableOffset Offset { get; init; }
    public required byte[]? Key { get; init; }
    public required byte[] Value { get; init; }
    public required EventPosition Position { get; init; }
    public UserEvent? Event { get; init; }
    public Rejection Rejection { get; init; }

    /// <summary>The consume span (null unless something listens to traces); ends when the record is applied or dead-lettered.</summary>
    public Activity? Span { get; internal set; }

    /// <summary>Set by the delivery stage from the entity's <see cref="Profiles.EventApplied"/>: the life that applied
    /// the event, the state version after it, and the stored version that life started from.</summary>
    public long Incarnation { get; set; }
    public long Version { get; set; }
    public long LoadedVersion { get; set; }

    /// <summary>What the entity did with the event (null until it answered, and for invalid records).</summary>
    public ApplyOutcome? Outcome { get; set; }

    /// <summary>Key and value bytes: what holding this record costs.</summary>
    public long Size => (Key?.Length ?? 0) + Value.Length;

    internal long DeliveryId { get; set; }
    internal long SentAt { get; set; }
    internal bool Done { get; set; }

    public static IngestRecord Parse(CommittableMessage message, long generation, DateTimeOffset now, EventLimits limits)
    {
        var record = message.Record;
        var result = EventParser.ParseRecord(record.Message.Value, record.Message.Timestamp.UnixTimestampMs, now, limits);
        return new IngestRecord
        {
            Offset = message.CommittableOffset,
            Key = record.Message.Key,
            Value = record.Message.Value ?? [], // a record with no value (a tombstone) is an empty payload: dead-lettered, not a crash
            Position = new EventPosition(record.Partition.Value, record.Offset.Value, generation),
            Event = result.IsValid ? result.Event : null,
            Rejection = result.IsValid ? default : result.Rejection,
        };
    }
}
