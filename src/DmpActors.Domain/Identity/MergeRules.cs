using DmpActors.Domain.Events;

namespace DmpActors.Domain.Identity;

/// <summary>
/// When two ids may be stitched into one profile (after Segment's identity resolution rules): placeholder ids
/// never link anything, and a profile holds at most <see cref="MaxUserIdsPerProfile"/> known user ids.
/// </summary>
public sealed record MergeRules
{
    public static readonly IReadOnlyList<string> DefaultBlockedIds =
        ["", "null", "none", "nil", "undefined", "anonymous", "unknown", "0", "-1", "n/a", "guest", "test", "[object object]"];

    public static readonly MergeRules Default = new(DefaultBlockedIds, 1);

    private readonly HashSet<string> _blocked;

    /// <param name="blockedIds">Compared after trimming, ignoring case.</param>
    public MergeRules(IEnumerable<string> blockedIds, int maxUserIdsPerProfile)
    {
        ArgumentNullException.ThrowIfNull(blockedIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUserIdsPerProfile, 1);
        _blocked = new HashSet<string>(blockedIds.Select(b => b.Trim()), StringComparer.OrdinalIgnoreCase);
        MaxUserIdsPerProfile = maxUserIdsPerProfile;
    }

    public int MaxUserIdsPerProfile { get; }

    public bool IsBlocked(string id) => _blocked.Contains(id.Trim());

    /// <summary>
    /// The id an event asks to fold into the profile <paramref name="entityId"/> it was routed to: identify links the
    /// anonymous id to the user id, alias the previous id. Null when the event stitches nothing.
    /// </summary>
    public static string? StitchedId(UserEvent e, string entityId)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.UserId != entityId) return null;
        var other = e.Type switch
        {
            EventType.Identify => e.AnonymousId,
            EventType.Alias => e.PreviousId,
            _ => null,
        };
        return other is null || other == entityId ? null : other;
    }

    /// <summary>The rule the ids alone break, before anything is asked of the other profile.</summary>
    public MergeRefusalReason? CheckIds(string survivorId, string absorbedId) =>
        IsBlocked(survivorId) || IsBlocked(absorbedId) ? MergeRefusalReason.BlockedId : null;

    /// <summary>The rule folding <paramref name="absorbed"/> into <paramref name="survivor"/> would break, if any.</summary>
    public MergeRefusalReason? Check(string survivorId, IdentityState survivor, IdentityState absorbed)
    {
        ArgumentNullException.ThrowIfNull(survivor);
        ArgumentNullException.ThrowIfNull(absorbed);
        if (absorbed.MergedInto is { } target && target != survivorId) return MergeRefusalReason.MergedElsewhere;
        var userIds = survivor.UserIds.Union(absorbed.UserIds, StringComparer.Ordinal).Count();
        return userIds > MaxUserIdsPerProfile ? MergeRefusalReason.TooManyUserIds : null;
    }
}
