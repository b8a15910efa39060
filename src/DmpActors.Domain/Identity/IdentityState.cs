namespace DmpActors.Domain.Identity;

/// <summary>An id folded into this profile, and the merge that did it.</summary>
public sealed record MergedId(string Id, string MergeId, DateTimeOffset At);

/// <summary>A merge that was refused; says why without naming the ids (they may be personal data).</summary>
public sealed record MergeRefusal(DateTimeOffset At, MergeRefusalReason Reason, string TriggerEventId);

public enum MergeRefusalReason
{
    /// <summary>One of the ids is a placeholder value ("", "null", "anonymous", ...) that must never link profiles.</summary>
    BlockedId,

    /// <summary>The merged profile would hold more known user ids than Identity:MaxUserIdsPerProfile.</summary>
    TooManyUserIds,

    /// <summary>The other id is already folded into a different profile.</summary>
    MergedElsewhere,

    /// <summary>The other id was erased and is in quarantine.</summary>
    Erased,

    /// <summary>The other profile was itself in the middle of a merge.</summary>
    Busy,

    /// <summary>The other profile is isolated for an error of its own (it cannot be decoded or written).</summary>
    Unavailable,

    /// <summary>This very merge (same ids, same triggering event) was undone by an operator: the event that caused it
    /// arriving again does not redo it. A later, different event linking the ids does.</summary>
    Unmerged,
}

/// <summary>
/// Who a profile is, beside what it knows (<see cref="Profiles.UserProfile"/>): the ids folded into it, whether it
/// has itself been folded into another (a forwarding tombstone), and the merges it refused. Immutable.
/// </summary>
public sealed record IdentityState
{
    public const int MaxRefusals = 20;

    /// <summary>Undone merges remembered, newest kept.</summary>
    public const int MaxUndone = 100;

    public static readonly IdentityState Empty = new();

    /// <summary>Set when this id was merged into another profile: events and reads go there.</summary>
    public string? MergedInto { get; init; }

    /// <summary>Ids folded into this profile, directly or through a profile folded in before, oldest first.</summary>
    public IReadOnlyList<MergedId> Merged { get; init; } = [];

    /// <summary>Known user ids (as opposed to anonymous ids) this profile holds; the merge rules limit their number.</summary>
    public IReadOnlyList<string> UserIds { get; init; } = [];

    /// <summary>The latest refused merges, oldest first, at most <see cref="MaxRefusals"/>.</summary>
    public IReadOnlyList<MergeRefusal> Refusals { get; init; } = [];

    /// <summary>Ids of the merges undone on this profile (as survivor), oldest first, at most <see cref="MaxUndone"/>.</summary>
    public IReadOnlyList<string> Undone { get; init; } = [];

    public bool WasUndone(string mergeId) => Undone.Contains(mergeId);

    public bool IsTombstone => MergedInto is not null;

    public bool Holds(string id) => Merged.Any(m => m.Id == id);

    /// <summary>Remembers that <paramref name="id"/> (this profile's own id) arrived as a user_id.</summary>
    public IdentityState WithUserId(string id) => UserIds.Contains(id) ? this : this with { UserIds = [.. UserIds, id] };

    public IdentityState WithRefusal(MergeRefusal refusal) =>
        this with { Refusals = [.. Refusals.Skip(Math.Max(0, Refusals.Count + 1 - MaxRefusals)), refusal] };

    /// <summary>The survivor's identity after <paramref name="absorbedId"/> (with everything merged into it) joined.</summary>
    public IdentityState Absorb(string absorbedId, IdentityState absorbed, string mergeId, DateTimeOffset at) => this with
    {
        Merged = [.. Merged, .. absorbed.Merged, new MergedId(absorbedId, mergeId, at)],
        UserIds = [.. UserIds, .. absorbed.UserIds.Where(u => !UserIds.Contains(u))],
    };

    /// <summary>The absorbed id's identity once merged: forwards to <paramref name="survivorId"/>.</summary>
    public IdentityState ForwardTo(string survivorId) => this with { MergedInto = survivorId };

    /// <summary>
    /// The survivor's identity after an unmerge: <paramref name="absorbedId"/> and the ids that came with it leave,
    /// and so do the user ids it brought (unless the survivor held them before the merge).
    /// </summary>
    /// <param name="mergeId">The merge being undone: remembered, so its triggering event cannot redo it.</param>
    public IdentityState Release(string absorbedId, IdentityState absorbedBefore, IdentityState survivorBefore, string mergeId)
    {
        var leaving = absorbedBefore.Merged.Select(m => m.Id).Append(absorbedId).ToHashSet(StringComparer.Ordinal);
        return this with
        {
            Merged = Merged.Where(m => !leaving.Contains(m.Id)).ToArray(),
            UserIds = UserIds.Where(u => !absorbedBefore.UserIds.Contains(u) || survivorBefore.UserIds.Contains(u)).ToArray(),
            Undone = [.. Undone.Skip(Math.Max(0, Undone.Count + 1 - MaxUndone)), mergeId],
        };
    }

    /// <summary>Every id whose data lives in this profile: its own and all merged ids.</summary>
    public IReadOnlyList<string> AllIds(string ownId) => [ownId, .. Merged.Select(m => m.Id)];
}
