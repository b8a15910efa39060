using Confluent.Kafka;
using DmpActors.Kafka.Stages;

namespace DmpActors.Kafka.Messages;

/// <summary>The offset of one consumed record, bound to the consumer (and assignment) that read it.</summary>
public sealed class CommittableOffset : ICommittable
{
    internal CommittableOffset(PartitionChannel channel, Offset offset)
    {
        Channel = channel;
        Offset = offset;
    }

    public TopicPartition TopicPartition => Channel.TopicPartition;

    /// <summary>Offset of the consumed record; a commit stores <c>Offset + 1</c>.</summary>
    public Offset Offset { get; }

    /// <summary>The assignment this record was read under; commits are honoured only while it is current.</summary>
    internal PartitionChannel Channel { get; }

    /// <summary>Identifies the assignment this record was read under: it changes when the partition is revoked and
    /// assigned again (to this consumer or after a restart).</summary>
    public long AssignmentId => Channel.Id;

    /// <summary>The group's committed offset this assignment resumed from, or null when none was committed (or it
    /// could not be read). A first record above it means the records between were never delivered.</summary>
    public long? AssignmentStart => Channel.StartOffset is >= 0 and var start ? start : null;

    public long BatchSize => 1;

    public Task<CommitResult> Commit() => Channel.Owner.Commit([(Channel, Offset.Value + 1)]);

    public override string ToString() => $"{TopicPartition}@{Offset}";
}

/// <summary>A consumed record and the offset to commit once it has been processed.</summary>
public sealed record CommittableMessage(ConsumeResult<byte[]?, byte[]> Record, CommittableOffset CommittableOffset);
