using Akka.Actor;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

/// <summary>Where an entity's profile stands against the store: the versions it has, has handed to the writer and
/// knows durable, and the checkpoints waiting for a save.</summary>
internal sealed class ProfileVersions
{
    /// <summary>Grows with every change; the store keeps the highest.</summary>
    public long Current;

    /// <summary>Highest version known durable.</summary>
    public long Saved;

    /// <summary>Highest version handed to the writer.</summary>
    public long Saving;

    /// <summary>The stored version this incarnation started from.</summary>
    public long Loaded;

    /// <summary>The version the store holds, as far as this life knows (0: no row); saves are fenced by it.</summary>
    public long Stored;

    /// <summary>The shard asked the entity to stop: it does once nothing is dirty.</summary>
    public bool Stopping;

    /// <summary>Traced events since the last save: their traces get the durable span.</summary>
    public List<TracedEvent>? Traced;

    /// <summary>Checkpoints answered once the version they need is saved.</summary>
    public List<FlushWaiter>? FlushWaiters;

    public bool Dirty => Current > Saved;

    public bool SaveInFlight => Saving > Saved;

    public void StartFrom(long stored) => Current = Saved = Saving = Loaded = Stored = stored;

    /// <summary>A protocol wrote this version itself (merge, unmerge): it is current, saved and stored.</summary>
    public void DurableAt(long version) => Current = Saved = Saving = Stored = version;

    /// <summary>The rows are gone (erasure): nothing is dirty and nothing is stored.</summary>
    public void Erased()
    {
        Saved = Saving = Current;
        Stored = 0;
    }
}

/// <param name="Reply">Sent instead of <see cref="ProfileFlushed"/> on success (a re-evaluation's answer); on failure
/// such a waiter gets a <see cref="Akka.Actor.Status.Failure"/>.</param>
internal readonly record struct FlushWaiter(IActorRef Requester, long CheckpointId, long Version, object? Reply = null);

/// <summary>Why the entity isolated itself (<see cref="UserActor"/>, Isolated).</summary>
internal sealed record Isolation(IsolationKind Kind, string Reason);

/// <summary>
/// A tombstone's events on their way to its survivor: answered to the ingest once the survivor has them, and marked as
/// seen here only once the survivor has saved them.
/// </summary>
internal sealed class Forwarding(string survivor)
{
    private readonly Dictionary<long, Forward> _pending = new();
    private DedupeState _positions = DedupeState.Empty; // positions this life forwarded: held for the gap check
    private long _next;

    public string Survivor { get; private set; } = survivor;

    /// <summary>Applied by the survivor, not yet marked here.</summary>
    public List<(string EventId, EventPosition? Position)>? Unmarked { get; set; }

    /// <summary>The survivor's life that applied the forwarded events, and its version after the latest.</summary>
    public long? SurvivorIncarnation { get; private set; }

    public long SurvivorVersion { get; private set; }

    public bool Forwarded(EventPosition position) => _positions.IsReplay(position);

    /// <returns>The delivery id the survivor answers with.</returns>
    public long Add(string survivor, IActorRef replyTo, long deliveryId, string eventId, EventPosition? position)
    {
        Survivor = survivor;
        if (position is { } at) _positions = _positions.RecordPosition(at);
        _pending[++_next] = new Forward(replyTo, deliveryId, eventId, position);
        return _next;
    }

    /// <summary>The survivor applied a forwarded event; false when it is not one of this life's.</summary>
    /// <exception cref="IdentityProtocolException">The survivor restarted between two forwarded events.</exception>
    public bool TryComplete(EventApplied applied, out Forward forward)
    {
        if (!_pending.Remove(applied.DeliveryId, out forward)) return false;
        // The earlier events may be gone from the survivor's memory, and this tombstone's marks would hide their
        // replays. Restarting drops the marks, so the replays get through.
        if (SurvivorIncarnation is { } known && known != applied.Incarnation)
            throw new IdentityProtocolException("the survivor restarted while events were forwarded to it; reloading");
        SurvivorIncarnation = applied.Incarnation;
        SurvivorVersion = Math.Max(SurvivorVersion, applied.Version);
        (Unmarked ??= []).Add((forward.EventId, forward.Position));
        return true;
    }

    /// <summary>Takes the events to mark once the survivor has flushed, and what to ask the survivor to flush.</summary>
    public (List<(string EventId, EventPosition? Position)> Marks, long Incarnation, long Version) TakeUnmarked()
    {
        var taken = (Unmarked!, SurvivorIncarnation ?? 0, SurvivorVersion);
        Unmarked = null;
        SurvivorIncarnation = null;
        SurvivorVersion = 0;
        return taken;
    }

    internal readonly record struct Forward(IActorRef ReplyTo, long DeliveryId, string EventId, EventPosition? Position);
}

/// <summary>A merge or unmerge this entity coordinates: the pure protocol and what carrying it out needs.</summary>
internal sealed class Coordination(MergeProtocol protocol, long started)
{
    public MergeProtocol Protocol { get; set; } = protocol;

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the merge's start.</summary>
    public long Started { get; } = started;

    /// <summary>Unmerge: the operator to answer, and the record being undone.</summary>
    public IActorRef? ReplyTo { get; init; }

    public Storage.StoredMerge? Record { get; init; }

    /// <summary>Set when the store transaction starts: what this entity becomes, the other entity's row, and (merge)
    /// how many events were folded in.</summary>
    public IdentityCodec.Side? Survivor { get; set; }

    public Storage.StoredProfile? OtherRow { get; set; }

    public long FoldedEvents { get; set; }
}
