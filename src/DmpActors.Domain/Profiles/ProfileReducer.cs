using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles.Privacy;

namespace DmpActors.Domain.Profiles;

/// <summary>
/// Applies events to profiles. Pure: the result depends only on the arguments, and the input profile is never
/// changed. Dedupe first (replayed position, then recent event id), then one copy of the profile record with only
/// the touched collections rebuilt. Time is the event's own: windows and affinities age by the latest event time
/// seen (the watermark), never by the clock, so replaying the same events gives the same profile.
/// </summary>
public static class ProfileReducer
{
    /// <summary>Signal weights for affinities: a purchase says more than a cart, a cart more than a view.</summary>
    public const double ViewWeight = 1, CartWeight = 3, PurchaseWeight = 5;

    /// <summary>Applies with <see cref="ProfileRules.Default"/>.</summary>
    public static ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position) => Apply(profile, e, position, ProfileRules.Default);

    /// <summary>Consumes an event that could not be applied: only its id and position are recorded, so its replay is
    /// judged a replay and its producer duplicate a duplicate; nothing else about the user changes.</summary>
    public static UserProfile Consume(UserProfile profile, UserEvent e, EventPosition? position) =>
        profile with { Dedupe = profile.Dedupe.Record(e.EventId, position) };

    /// <param name="position">The event's Kafka position, or null when it did not come from Kafka.</param>
    public static ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position, ProfileRules rules)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(rules);

        var dedupe = profile.Dedupe;
        if (position is { } p && dedupe.IsReplay(p)) return new ApplyResult(profile, ApplyOutcome.ReplayedPosition);
        var idHash = DedupeState.HashOf(e.EventId);
        if (dedupe.Seen(idHash))
        {
            // Nothing about the user changes, but the offset is consumed: recording it keeps a later Kafka replay of
            // this message recognisable by position even after its id has left the bounded window.
            var marked = position is { } at ? dedupe.RecordPosition(at) : dedupe;
            return new ApplyResult(ReferenceEquals(marked, dedupe) ? profile : profile with { Dedupe = marked }, ApplyOutcome.DuplicateEventId);
        }

        var ts = e.Timestamp;
        var totalRevenue = profile.TotalRevenue;
        var orders = profile.Orders;
        var lastPurchase = profile.LastPurchase;
        var recentItems = profile.RecentlyViewedItems;
        var traits = profile.Traits;
        var consent = profile.Consent;
        var consentHistory = profile.ConsentHistory;
        var categoryAffinity = profile.CategoryAffinity;
        var itemAffinity = profile.ItemAffinity;

        switch (e.Type)
        {
            case EventType.ProductView when e.ItemId is not null:
                recentItems = MoveToFront(recentItems, e.ItemId);
                break;
            case EventType.Purchase when e.OrderId is not null:
                var revenue = e.Revenue ?? Saturating.SumOf(e.Items);
                totalRevenue = Saturating.Add(totalRevenue, revenue);
                orders = Saturating.Add(orders, 1);
                if (IsLaterPurchase(lastPurchase, ts, e.OrderId))
                    lastPurchase = new PurchaseSummary(e.OrderId, ts, revenue, e.Currency, e.Items);
                break;
            case EventType.Identify when e.Traits is { Count: > 0 }:
                traits = MergeTraits(traits, e.Traits, rules);
                break;
            case EventType.Consent when e.ConsentPurposes is { Count: > 0 }:
                consent = MergeConsent(consent, e.ConsentPurposes, ts);
                consentHistory = consentHistory.Add(e.ConsentPurposes, ts);
                break;
        }

        // Consent as it stands after this event decides what is recorded.
        var (windows, tooLate) = profile.Windows.Record(e, rules, recording: !ConsentPurposes.IsDenied(consent, ConsentPurposes.Analytics));
        if (!ConsentPurposes.IsDenied(consent, ConsentPurposes.Personalization))
            (categoryAffinity, itemAffinity) = AddInterest(categoryAffinity, itemAffinity, e, rules);

        var knownIds = AddKnownId(profile.KnownIds, profile.Id, e.UserId);
        knownIds = AddKnownId(knownIds, profile.Id, e.AnonymousId);
        if (e.Type == EventType.Alias) knownIds = AddKnownId(knownIds, profile.Id, e.PreviousId);

        var next = profile with
        {
            EventCounts = Increment(profile.EventCounts, e.Type),
            FirstSeen = profile.FirstSeen is { } first && first <= ts ? first : ts,
            LastSeen = profile.LastSeen is { } last && last >= ts ? last : ts,
            TotalRevenue = totalRevenue,
            Orders = orders,
            LastPurchase = lastPurchase,
            RecentlyViewedItems = recentItems,
            Traits = traits,
            Consent = consent,
            ConsentHistory = consentHistory,
            Windows = windows,
            CategoryAffinity = categoryAffinity,
            ItemAffinity = itemAffinity,
            KnownIds = knownIds,
            Dedupe = dedupe.Record(idHash, position),
            EventsApplied = Saturating.Add(profile.EventsApplied, 1),
        };
        return new ApplyResult(next, ApplyOutcome.Applied, tooLate);
    }

    /// <summary>Applies events in order; duplicates and replays are skipped as in <see cref="Apply"/>.</summary>
    public static UserProfile ApplyAll(UserProfile profile, IEnumerable<(UserEvent, EventPosition?)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var (e, position) in events) profile = Apply(profile, e, position).Profile;
        return profile;
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

    /// <summary>Latest by event time; equal times are broken by order id so the result does not depend on arrival order.</summary>
    private static bool IsLaterPurchase(PurchaseSummary? current, DateTimeOffset at, string orderId) =>
        current is null
        || at > current.At
        || (at == current.At && string.CompareOrdinal(orderId, current.OrderId) > 0);

    private static (Affinity.AffinityScores Categories, Affinity.AffinityScores Items) AddInterest(
        Affinity.AffinityScores categories, Affinity.AffinityScores items, UserEvent e, ProfileRules rules)
    {
        var at = e.Timestamp;
        switch (e.Type)
        {
            case EventType.ProductView or EventType.AddToCart:
                var weight = e.Type == EventType.ProductView ? ViewWeight : CartWeight;
                if (e.Category is not null) categories = categories.Add(e.Category, weight, at, rules);
                if (e.ItemId is not null) items = items.Add(e.ItemId, weight, at, rules);
                break;
            case EventType.Purchase when e.OrderId is not null:
                foreach (var line in e.Items)
                {
                    if (line.Category is not null) categories = categories.Add(line.Category, PurchaseWeight, at, rules);
                    items = items.Add(line.ItemId, PurchaseWeight, at, rules);
                }

                break;
        }

        return (categories, items);
    }

    /// <summary>Personal-data traits (by the rules) are stored only as salted hashes.</summary>
    private static IReadOnlyDictionary<string, string> MergeTraits(IReadOnlyDictionary<string, string> traits, IReadOnlyDictionary<string, string?> changes,
        ProfileRules rules)
    {
        var next = new Dictionary<string, string>(traits, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null) next.Remove(key);
            else next[key] = rules.IsHashedTrait(key) ? PiiHash.Of(value, rules.PiiSalt) : value;
        }

        return next.Count == 0 ? UserProfile.NoTraits : next;
    }

    /// <summary>Per purpose, the decision with the latest event time wins; on a tie a denial wins (privacy first),
    /// so the outcome does not depend on arrival order.</summary>
    private static IReadOnlyDictionary<string, ConsentState>? MergeConsent(
        IReadOnlyDictionary<string, ConsentState>? consent, IReadOnlyDictionary<string, bool> purposes, DateTimeOffset at)
    {
        Dictionary<string, ConsentState>? next = null;
        foreach (var (purpose, granted) in purposes)
        {
            if (consent is not null && consent.TryGetValue(purpose, out var current)
                && (current.At > at || (current.At == at && (!current.Granted || granted))))
                continue;

            next ??= consent is null ? new Dictionary<string, ConsentState>(StringComparer.Ordinal) : new Dictionary<string, ConsentState>(consent, StringComparer.Ordinal);
            next[purpose] = new ConsentState(granted, at);
        }

        return next ?? consent;
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
