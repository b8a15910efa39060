using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Identity;

/// <summary>
/// What an event says about who the user is: the ids it carries join the profile's known ids, and the entity is
/// asked to remember its own user id (<see cref="UserIdSeen"/>) and to stitch the id an identify or alias links
/// (<see cref="RequestMerge"/>). Whether a merge happens is the identity protocol's decision, not this module's.
/// </summary>
public sealed class IdentityHintsModule : IFeatureModule
{
    public static readonly IdentityHintsModule Instance = new();

    private IdentityHintsModule() { }

    public string Name => "identity";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        var own = ctx.Before.Id;
        ref var p = ref ctx.Profile;
        p.KnownIds = AddKnownId(p.KnownIds, own, e.UserId);
        p.KnownIds = AddKnownId(p.KnownIds, own, e.AnonymousId);
        if (e.Type == EventType.Alias) p.KnownIds = AddKnownId(p.KnownIds, own, e.PreviousId);

        if (e.UserId != own) return;
        ctx.Emit(UserIdSeen.Instance);
        if (MergeRules.StitchedId(e, own) is { } other) ctx.Emit(new RequestMerge(other, e.EventId));
    }

    private static IReadOnlyList<string> AddKnownId(IReadOnlyList<string> ids, string profileId, string? id)
    {
        if (id is null) return ids;
        for (var i = 0; i < ids.Count; i++)
        {
            if (string.Equals(ids[i], id, StringComparison.Ordinal)) return ids;
        }

        var next = new List<string>(Math.Min(ids.Count + 1, UserProfile.MaxKnownIds + 1));
        next.AddRange(ids);
        next.Add(id);
        if (next.Count > UserProfile.MaxKnownIds)
        {
            // Evict the oldest id that is not the profile's own.
            var evict = string.Equals(next[0], profileId, StringComparison.Ordinal) ? 1 : 0;
            next.RemoveAt(evict);
        }

        return next.ToArray();
    }
}
