using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Identity;

public enum ProtocolKind
{
    /// <summary>Fold the other id into this profile (docs/identity.md, the merge protocol).</summary>
    Merge,

    /// <summary>Give a folded id back its profile from the merge record.</summary>
    Unmerge,
}

/// <summary>
/// The coordinator's side of a two-entity identity transaction (merge or unmerge), as decisions: what to do when a
/// merge is asked for, when the other entity answers the lock, refuses it, goes silent, or the store transaction
/// fails. Pure; the entity carries the steps out (lock, write, release, retry, restart). The rule that runs through
/// it: once the store transaction has started, only its outcome ends the protocol.
/// </summary>
public sealed record MergeProtocol
{
    /// <summary>A merge refused because the other profile was coordinating one of its own is tried again this many
    /// times, after 100, 200, 400, 800 and 1,600 ms (±50 %, so two entities that met do not meet again), then refused.</summary>
    public const int MaxBusyRetries = 5;

    public static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(100);

    private MergeProtocol(ProtocolKind kind, string lockId, string mergeId, string otherId, string? triggerEventId, int attempt)
    {
        Kind = kind;
        LockId = lockId;
        MergeId = mergeId;
        OtherId = otherId;
        TriggerEventId = triggerEventId;
        Attempt = attempt;
    }

    public ProtocolKind Kind { get; }

    /// <summary>Names the lock on the other entity: the merge id, or "unmerge:" and the merge id.</summary>
    public string LockId { get; }

    public string MergeId { get; }

    /// <summary>The entity locked: the absorbed id (merge) or the id given back (unmerge).</summary>
    public string OtherId { get; }

    /// <summary>The identify or alias that asked for the merge; null for an unmerge.</summary>
    public string? TriggerEventId { get; }

    /// <summary>0 for the merge asked by the event itself, 1.. for its retries after the other profile was busy.</summary>
    public int Attempt { get; }

    /// <summary>The store transaction has started: timeouts no longer abandon the protocol.</summary>
    public bool Writing { get; private init; }

    /// <summary>What to do with a merge an event asks for (<see cref="RequestMerge"/>).</summary>
    public static ProtocolStep Stitch(string entityId, IdentityState identity, RequestMerge request, MergeRules rules, int attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rules);
        if (identity.Holds(request.OtherId)) return ProtocolStep.Nothing;
        var mergeId = IdentityHashes.MergeId(entityId, request.OtherId, request.TriggerEventId);
        if (rules.CheckIds(entityId, request.OtherId) is { } blocked) return new ProtocolStep.Refuse(mergeId, blocked, request.TriggerEventId);
        // Writing it again would collide with its own undone record (and, failing, reload and replay forever).
        if (identity.WasUndone(mergeId)) return new ProtocolStep.Refuse(mergeId, MergeRefusalReason.Unmerged, request.TriggerEventId);
        return new ProtocolStep.Lock(new MergeProtocol(ProtocolKind.Merge, mergeId, mergeId, request.OtherId, request.TriggerEventId, attempt));
    }

    /// <summary>What to do once the merge record an unmerge names is loaded: lock the id it gives back, or say why not.</summary>
    /// <param name="record">Null when the store holds no record with that id.</param>
    public static ProtocolStep Unmerge(string entityId, MergeRecordSummary? record)
    {
        if (record is not { Undone: false } open || open.SurvivorId != entityId)
            return new ProtocolStep.Fail(record is { } r && r.SurvivorId != entityId
                ? $"merged through '{r.SurvivorId}': unmerge it there first"
                : "no open merge record");
        return new ProtocolStep.Lock(new MergeProtocol(ProtocolKind.Unmerge, "unmerge:" + open.MergeId, open.MergeId, open.AbsorbedId, null, 0));
    }

    /// <summary>The other entity is locked and sent its identity: commit, or release it with nothing written.</summary>
    public ProtocolStep OnLocked(string entityId, IdentityState survivor, IdentityState other, MergeRules rules)
    {
        ArgumentNullException.ThrowIfNull(survivor);
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(rules);
        if (Kind == ProtocolKind.Unmerge) return ProtocolStep.Commit;
        // The other side folded this one in meanwhile (or an earlier life committed it): the ids are linked already.
        if (other.MergedInto == entityId) return new ProtocolStep.Release(null);
        return rules.Check(entityId, survivor, other) is { } reason ? new ProtocolStep.Release(reason) : ProtocolStep.Commit;
    }

    /// <summary>The store transaction starts: from now on only its outcome ends the protocol.</summary>
    public MergeProtocol StartWriting() => this with { Writing = true };

    /// <summary>The other entity refused the lock (nothing of it is locked).</summary>
    /// <param name="jitter">A number in [0, 1) that spreads the retries of two entities that met.</param>
    public ProtocolStep OnRefused(MergeRefusalReason reason, double jitter)
    {
        if (Kind == ProtocolKind.Unmerge) return new ProtocolStep.Fail($"the other profile refused: {reason}");
        if (reason != MergeRefusalReason.Busy || Attempt >= MaxBusyRetries) return new ProtocolStep.Refuse(MergeId, reason, TriggerEventId!);
        var next = Attempt + 1;
        return new ProtocolStep.RetryLater(next, BusyRetryDelay * Math.Pow(2, next - 1) * (0.5 + jitter));
    }

    /// <summary>The protocol's time is up. Abandoning while the transaction may still commit would reload both entities
    /// with something other than what the store ends up holding, so a writing protocol waits (the store's own timeouts
    /// bound the wait).</summary>
    public ProtocolStep OnTimedOut() => Writing ? ProtocolStep.Wait : new ProtocolStep.Abandon("the other profile did not answer in time");

    /// <summary>The store transaction failed or its outcome is unknown: both entities restart from the store, and the
    /// ingest replays whatever they had not made durable, the triggering event included.</summary>
    public ProtocolStep.Abandon OnFailed(string why) => new(why);
}

/// <summary>What an unmerge needs to know of a stored merge record.</summary>
public sealed record MergeRecordSummary(string MergeId, string SurvivorId, string AbsorbedId, bool Undone);

/// <summary>A decision of <see cref="MergeProtocol"/> for the entity to carry out.</summary>
public abstract record ProtocolStep
{
    public static readonly ProtocolStep Nothing = new NothingToDo();
    public static readonly ProtocolStep Commit = new CommitBoth();
    public static readonly ProtocolStep Wait = new WaitForOutcome();

    private ProtocolStep() { }

    /// <summary>Nothing to do: the ids are linked already.</summary>
    public sealed record NothingToDo : ProtocolStep;

    /// <summary>Record the refusal on the profile (and count it); nothing is locked.</summary>
    public sealed record Refuse(string MergeId, MergeRefusalReason Reason, string TriggerEventId) : ProtocolStep;

    /// <summary>Lock the other entity and coordinate <see cref="Protocol"/>.</summary>
    public sealed record Lock(MergeProtocol Protocol) : ProtocolStep;

    /// <summary>Write both profiles and the record in one store transaction.</summary>
    public sealed record CommitBoth : ProtocolStep;

    /// <summary>Release the locked entity with nothing written; with a reason, record the refusal too.</summary>
    public sealed record Release(MergeRefusalReason? Refusal) : ProtocolStep;

    /// <summary>Ask for the merge again after <see cref="Delay"/> (in memory only: a crash leaves the ids unlinked, as
    /// a refusal would).</summary>
    public sealed record RetryLater(int Attempt, TimeSpan Delay) : ProtocolStep;

    /// <summary>Keep waiting for the store transaction's outcome.</summary>
    public sealed record WaitForOutcome : ProtocolStep;

    /// <summary>Tell the other entity to reload, and restart from the store.</summary>
    public sealed record Abandon(string Why) : ProtocolStep;

    /// <summary>An unmerge that cannot go on: answer the operator with <see cref="Why"/>; nothing is locked.</summary>
    public sealed record Fail(string Why) : ProtocolStep;
}
