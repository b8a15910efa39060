using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Profiles;

/// <summary>Lifetime activity: counts per event type, first and last seen (event time), recently viewed items.</summary>
public sealed class ActivityModule : IFeatureModule
{
    public static readonly ActivityModule Instance = new();

    private ActivityModule() { }

    public string Name => "activity";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        ref var p = ref ctx.Profile;
        var ts = e.Timestamp;
        p.EventCounts = Increment(p.EventCounts, e.Type);
        p.FirstSeen = p.FirstSeen is { } first && first <= ts ? first : ts;
        p.LastSeen = p.LastSeen is { } last && last >= ts ? last : ts;
        if (e is { Type: EventType.ProductView, ItemId: { } itemId }) p.RecentlyViewedItems = MoveToFront(p.RecentlyViewedItems, itemId);
    }

    private static long[] Increment(IReadOnlyList<long> counts, EventType type)
    {
        var next = new long[Math.Max(counts.Count, EventTypes.Count)];
        if (counts is long[] array) array.AsSpan().CopyTo(next);
        else for (var i = 0; i < counts.Count; i++) next[i] = counts[i];
        next[(int)type] = Saturating.Add(next[(int)type], 1);
        return next;
    }

    private static IReadOnlyList<string> MoveToFront(IReadOnlyList<string> items, string itemId)
    {
        var found = -1;
        for (var i = 0; i < items.Count; i++)
        {
            if (string.Equals(items[i], itemId, StringComparison.Ordinal))
            {
                found = i;
                break;
            }
        }

        if (found == 0) return items;
        var length = found > 0 ? items.Count : Math.Min(items.Count + 1, UserProfile.MaxRecentlyViewedItems);
        var next = new string[length];
        next[0] = itemId;
        for (int from = 0, to = 1; to < length; from++)
        {
            if (from != found) next[to++] = items[from];
        }

        return next;
    }
}
