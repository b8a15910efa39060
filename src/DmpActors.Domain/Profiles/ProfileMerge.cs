namespace DmpActors.Domain.Profiles;

/// <summary>
/// Folds one profile into another when identities are stitched, and takes it out again on unmerge. Pure.
/// One line per field in each direction: a new profile field adds its rule to <see cref="Merge"/> and to
/// <see cref="Unmerge"/>.
/// </summary>
/// <remarks>
/// Dedupe marks are not merged: the absorbed id's entity stays alive as a forwarding tombstone that keeps its
/// own marks, so replays of its events are still recognised there (docs/identity.md).
/// </remarks>
public static class ProfileMerge
{
    /// <summary>The survivor with the absorbed profile folded in. Counters add up; "latest" values follow the
    /// profile seen more recently (the survivor on a tie); consent keeps the latest decision per purpose.</summary>
    /// <param name="rules">The rules the profiles were built with (window buckets, affinity decay); default when null.</param>
    public static UserProfile Merge(UserProfile survivor, UserProfile absorbed, ProfileRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(survivor);
        ArgumentNullException.ThrowIfNull(absorbed);
        rules ??= ProfileRules.Default;
        var (older, newer) = absorbed.LastSeen > survivor.LastSeen ? (survivor, absorbed) : (absorbed, survivor);
        return survivor with
        {
            EventCounts = Combine(survivor.EventCounts, absorbed.EventCounts, +1),
            FirstSeen = Earliest(survivor.FirstSeen, absorbed.FirstSeen),
            LastSeen = Latest(survivor.LastSeen, absorbed.LastSeen),
            TotalRevenue = Saturating.Add(survivor.TotalRevenue, absorbed.TotalRevenue),
            Orders = Saturating.Add(survivor.Orders, absorbed.Orders),
            RecentlyViewedItems = Concat(newer.RecentlyViewedItems, older.RecentlyViewedItems, UserProfile.MaxRecentlyViewedItems),
            LastPurchase = LaterPurchase(survivor.LastPurchase, absorbed.LastPurchase),
            Traits = Overlay(older.Traits, newer.Traits),
            Consent = MergeConsent(survivor.Consent, absorbed.Consent),
            KnownIds = Concat(survivor.KnownIds, absorbed.KnownIds, UserProfile.MaxKnownIds),
            EventsApplied = Saturating.Add(survivor.EventsApplied, absorbed.EventsApplied),
            Windows = survivor.Windows.Merge(absorbed.Windows, rules),
            CategoryAffinity = survivor.CategoryAffinity.Merge(absorbed.CategoryAffinity, rules),
            ItemAffinity = survivor.ItemAffinity.Merge(absorbed.ItemAffinity, rules),
            ConsentHistory = survivor.ConsentHistory.Merge(absorbed.ConsentHistory),
        };
    }

    /// <summary>
    /// Takes a merge back out of <paramref name="current"/> (the survivor now): counters keep what was added
    /// since the merge on top of <paramref name="before"/> (the survivor before the merge); every other field
    /// keeps its current value if it changed since the merge (<paramref name="merged"/>, as the merge left it),
    /// else returns to its value before the merge. Dedupe marks stay current, so replays stay recognised.
    /// Windows and affinities cannot be split by event: once the survivor has changed them since the merge they keep
    /// the absorbed profile's share (docs/identity.md).
    /// </summary>
    public static UserProfile Unmerge(UserProfile current, UserProfile merged, UserProfile before)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(before);
        return current with
        {
            EventCounts = Combine(before.EventCounts, Combine(current.EventCounts, merged.EventCounts, -1), +1),
            FirstSeen = Rebase(current.FirstSeen, merged.FirstSeen, before.FirstSeen),
            LastSeen = Rebase(current.LastSeen, merged.LastSeen, before.LastSeen),
            TotalRevenue = Saturating.Add(before.TotalRevenue, Saturating.Subtract(current.TotalRevenue, merged.TotalRevenue)),
            Orders = Saturating.Add(before.Orders, Saturating.Subtract(current.Orders, merged.Orders)),
            RecentlyViewedItems = RebaseList(current.RecentlyViewedItems, merged.RecentlyViewedItems, before.RecentlyViewedItems),
            LastPurchase = SamePurchase(current.LastPurchase, merged.LastPurchase) ? before.LastPurchase : current.LastPurchase,
            Traits = SameMap(current.Traits, merged.Traits) ? before.Traits : current.Traits,
            Consent = SameMap(current.Consent, merged.Consent) ? before.Consent : current.Consent,
            KnownIds = RebaseList(current.KnownIds, merged.KnownIds, before.KnownIds),
            EventsApplied = Saturating.Add(before.EventsApplied, Saturating.Subtract(current.EventsApplied, merged.EventsApplied)),
            Windows = current.Windows.Equals(merged.Windows) ? before.Windows : current.Windows,
            CategoryAffinity = current.CategoryAffinity.Equals(merged.CategoryAffinity) ? before.CategoryAffinity : current.CategoryAffinity,
            ItemAffinity = current.ItemAffinity.Equals(merged.ItemAffinity) ? before.ItemAffinity : current.ItemAffinity,
            ConsentHistory = current.ConsentHistory.Equals(merged.ConsentHistory) ? before.ConsentHistory : current.ConsentHistory,
        };
    }

    private static long[] Combine(IReadOnlyList<long> a, IReadOnlyList<long> b, int sign)
    {
        var sum = new long[Math.Max(a.Count, b.Count)];
        for (var i = 0; i < a.Count; i++) sum[i] = a[i];
        for (var i = 0; i < b.Count; i++) sum[i] = sign > 0 ? Saturating.Add(sum[i], b[i]) : Saturating.Subtract(sum[i], b[i]);
        return sum;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a <= b ? a : b;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;

    /// <summary>Distinct, first list's order first, at most <paramref name="max"/>.</summary>
    private static IReadOnlyList<string> Concat(IReadOnlyList<string> first, IReadOnlyList<string> second, int max)
    {
        if (second.Count == 0) return first;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(Math.Min(first.Count + second.Count, max));
        foreach (var id in first.Concat(second))
        {
            if (result.Count == max) break;
            if (seen.Add(id)) result.Add(id);
        }

        return result.ToArray();
    }

    /// <summary>By event time; equal times by order id, as the reducer does.</summary>
    private static PurchaseSummary? LaterPurchase(PurchaseSummary? a, PurchaseSummary? b) =>
        a is null ? b : b is null ? a : b.At > a.At || (b.At == a.At && string.CompareOrdinal(b.OrderId, a.OrderId) > 0) ? b : a;

    private static IReadOnlyDictionary<string, string> Overlay(IReadOnlyDictionary<string, string> under, IReadOnlyDictionary<string, string> over)
    {
        if (under.Count == 0) return over;
        if (over.Count == 0) return under;
        var result = new Dictionary<string, string>(under, StringComparer.Ordinal);
        foreach (var (key, value) in over) result[key] = value;
        return result;
    }

    /// <summary>Per purpose the later decision; on equal times a denial (privacy first).</summary>
    private static IReadOnlyDictionary<string, ConsentState>? MergeConsent(
        IReadOnlyDictionary<string, ConsentState>? a, IReadOnlyDictionary<string, ConsentState>? b)
    {
        if (a is null || b is null) return a ?? b;
        var result = new Dictionary<string, ConsentState>(a, StringComparer.Ordinal);
        foreach (var (purpose, decision) in b)
        {
            if (!result.TryGetValue(purpose, out var kept) || decision.At > kept.At || (decision.At == kept.At && !decision.Granted))
                result[purpose] = decision;
        }

        return result;
    }

    private static T Rebase<T>(T current, T merged, T before) => EqualityComparer<T>.Default.Equals(current, merged) ? before : current;

    private static IReadOnlyList<string> RebaseList(IReadOnlyList<string> current, IReadOnlyList<string> merged, IReadOnlyList<string> before) =>
        current.SequenceEqual(merged, StringComparer.Ordinal) ? before : current;

    private static bool SameMap<TValue>(IReadOnlyDictionary<string, TValue>? a, IReadOnlyDictionary<string, TValue>? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && EqualityComparer<TValue>.Default.Equals(kv.Value, v));

    private static bool SamePurchase(PurchaseSummary? a, PurchaseSummary? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.OrderId == b.OrderId && a.At == b.At && a.Revenue == b.Revenue && a.Currency == b.Currency && a.Items.SequenceEqual(b.Items);
}
