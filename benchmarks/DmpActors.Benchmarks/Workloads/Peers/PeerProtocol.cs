using DmpActors.Domain.Events;
using Orleans;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>One Kafka record as the consume loop hands it to a user's grain or actor, which parses and applies it.</summary>
/// <remarks>Immutable: Orleans passes it to a local grain without copying the payload.</remarks>
[GenerateSerializer, Immutable]
public sealed class PeerRecord
{
    [Id(0)] public byte[] Json = [];
    [Id(1)] public long RecordUnixMs;
    [Id(2)] public int Partition;
    [Id(3)] public long Offset;
}

/// <summary>Every peer's users, behind one protocol: apply a record, hand over the encoded state if it changed since the last ask.</summary>
public interface IPeerUsers
{
    Task ApplyAsync(string userId, PeerRecord record);

    /// <summary>The profile encoded with the engine's <see cref="ProfileCodec"/>, or null when nothing changed since the last call.</summary>
    Task<byte[]?> TakeDirtyStateAsync(string userId);
}

/// <summary>The per-user fold every runner applies: the engine's parser and reducer.</summary>
public static class PeerFold
{
    /// <summary>The event, or null when the record is not a valid one (the engine dead-letters those).</summary>
    public static UserEvent? Parse(byte[] json, long recordUnixMs)
    {
        var result = EventParser.ParseRecord(json, recordUnixMs, DateTimeOffset.UtcNow);
        return result.IsValid ? result.Event : null;
    }

    public static UserProfile Apply(UserProfile? profile, UserEvent e, int partition, long offset) =>
        ProfileReducer.Apply(profile ?? UserProfile.Empty(e.EntityId), e, new EventPosition(partition, offset)).Profile;
}

/// <summary>The state a grain or an actor keeps for its user: the profile and whether a checkpoint still has to save it.</summary>
public sealed class PeerProfile(string id)
{
    private UserProfile? _profile;
    private bool _dirty;

    public void Apply(PeerRecord record)
    {
        var e = PeerFold.Parse(record.Json, record.RecordUnixMs);
        if (e is null) return;
        // Records are routed on their key; the engine routes on the parsed id. Both agree unless a record lies.
        if (!string.Equals(e.EntityId, id, StringComparison.Ordinal))
            throw new InvalidOperationException($"record keyed '{id}' is an event of '{e.EntityId}'");
        _profile = PeerFold.Apply(_profile, e, record.Partition, record.Offset);
        _dirty = true;
    }

    public byte[]? TakeDirtyState()
    {
        if (!_dirty) return null;
        _dirty = false;
        return ProfileCodec.Encode(_profile!);
    }
}
