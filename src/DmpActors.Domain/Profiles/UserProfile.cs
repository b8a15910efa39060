using System.Collections.ObjectModel;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Windows;
using DmpActors.Domain.Segments.Evaluation;

namespace DmpActors.Domain.Profiles;

/// <summary>
/// Everything the platform knows about one user (or one anonymous visitor before identify). Immutable; changed
/// only by <see cref="ProfileReducer"/>. Members are plain and public so the engine can map them to its own DTOs.
/// </summary>
/// <remarks>
/// Collections are shared between versions and copied only by the events that change them (a page_view copies the
/// counts, never the recent items or traits). Behaviour windows, affinities and consent history each have a pure
/// <c>Merge</c> for folding another profile in. Planned additions sit beside these members: merged identities. Memory per profile is documented in docs/profiles.md.
/// </remarks>
public sealed record UserProfile
{
    public const int MaxRecentlyViewedItems = 50;
    public const int MaxKnownIds = 16;

    internal static readonly IReadOnlyDictionary<string, string> NoTraits = ReadOnlyDictionary<string, string>.Empty;

    // Null-tolerant setters: restoring from a DTO with a missing collection yields an empty one, not a crash later.
    private readonly IReadOnlyList<long> _eventCounts = Array.Empty<long>();
    private readonly IReadOnlyList<string> _recentlyViewedItems = Array.Empty<string>();
    private readonly IReadOnlyDictionary<string, string> _traits = NoTraits;
    private readonly IReadOnlyList<string> _knownIds = Array.Empty<string>();
    private readonly DedupeState _dedupe = DedupeState.Empty;
    private readonly BehaviourWindows _windows = BehaviourWindows.Empty;
    private readonly AffinityScores _categoryAffinity = AffinityScores.Empty;
    private readonly AffinityScores _itemAffinity = AffinityScores.Empty;
    private readonly ConsentHistory _consentHistory = ConsentHistory.Empty;
    private readonly SegmentMemberships _segments = SegmentMemberships.Empty;
    private readonly Modules.UserTimers _timers = Modules.UserTimers.Empty;

    public required string Id { get; init; }

    /// <summary>Lifetime count per event type, indexed by <c>(int)EventType</c>; may be shorter than
    /// <see cref="EventTypes.Count"/> when restored from an older snapshot. Read with <see cref="CountOf"/>.</summary>
    public IReadOnlyList<long> EventCounts
    {
        get => _eventCounts;
        init => _eventCounts = value ?? Array.Empty<long>();
    }

    /// <summary>Earliest event timestamp applied.</summary>
    public DateTimeOffset? FirstSeen { get; init; }

    /// <summary>Latest event timestamp applied (event time, not arrival time).</summary>
    public DateTimeOffset? LastSeen { get; init; }

    public decimal TotalRevenue { get; init; }
    public int Orders { get; init; }

    /// <summary>product_view item ids, most recent first, distinct, at most <see cref="MaxRecentlyViewedItems"/>.</summary>
    public IReadOnlyList<string> RecentlyViewedItems
    {
        get => _recentlyViewedItems;
        init => _recentlyViewedItems = value ?? Array.Empty<string>();
    }

    public PurchaseSummary? LastPurchase { get; init; }
    public IReadOnlyDictionary<string, string> Traits
    {
        get => _traits;
        init => _traits = value ?? NoTraits;
    }

    /// <summary>Purpose → latest decision; null until the first consent event.</summary>
    public IReadOnlyDictionary<string, ConsentState>? Consent { get; init; }

    /// <summary>User and anonymous ids (and alias previous ids) seen on applied events, oldest first, at most
    /// <see cref="MaxKnownIds"/>; the profile's own id is never evicted.</summary>
    public IReadOnlyList<string> KnownIds
    {
        get => _knownIds;
        init => _knownIds = value ?? Array.Empty<string>();
    }

    public DedupeState Dedupe
    {
        get => _dedupe;
        init => _dedupe = value ?? DedupeState.Empty;
    }

    /// <summary>Every consent decision (bounded, see <see cref="Privacy.ConsentHistory"/>); <see cref="Consent"/> is its latest
    /// state per purpose.</summary>
    public ConsentHistory ConsentHistory
    {
        get => _consentHistory;
        init => _consentHistory = value ?? ConsentHistory.Empty;
    }

    /// <summary>Event-time behaviour metrics (1h/24h/7d/30d); not recorded while analytics consent is denied.</summary>
    public BehaviourWindows Windows
    {
        get => _windows;
        init => _windows = value ?? BehaviourWindows.Empty;
    }

    /// <summary>Decayed interest per product category; not recorded while personalization consent is denied.</summary>
    public AffinityScores CategoryAffinity
    {
        get => _categoryAffinity;
        init => _categoryAffinity = value ?? AffinityScores.Empty;
    }

    /// <summary>Decayed interest per item; not recorded while personalization consent is denied.</summary>
    public AffinityScores ItemAffinity
    {
        get => _itemAffinity;
        init => _itemAffinity = value ?? AffinityScores.Empty;
    }

    /// <summary>Segment memberships and the outbox of changes not yet published (<see cref="Segments.Evaluation.SegmentsModule"/>).</summary>
    public SegmentMemberships Segments
    {
        get => _segments;
        init => _segments = value ?? SegmentMemberships.Empty;
    }

    /// <summary>Timers the modules scheduled (<see cref="Modules.ScheduleTimer"/>); the entity keeps them, the store
    /// indexes them by due time.</summary>
    public Modules.UserTimers Timers
    {
        get => _timers;
        init => _timers = value ?? Modules.UserTimers.Empty;
    }

    /// <summary>Number of events applied (duplicates and replays excluded).</summary>
    public long EventsApplied { get; init; }

    public static UserProfile Empty(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return new UserProfile { Id = id };
    }

    public long CountOf(EventType type)
    {
        var i = (int)type;
        return i < EventCounts.Count ? EventCounts[i] : 0;
    }

    /// <summary>Content equality, so that a profile restored from a snapshot compares equal to the original.
    /// Missing trailing counts equal zero counts.</summary>
    public bool Equals(UserProfile? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null) return false;
        if (Id != other.Id || FirstSeen != other.FirstSeen || LastSeen != other.LastSeen || TotalRevenue != other.TotalRevenue
            || Orders != other.Orders || EventsApplied != other.EventsApplied || !Dedupe.Equals(other.Dedupe)
            || !Windows.Equals(other.Windows) || !CategoryAffinity.Equals(other.CategoryAffinity)
            || !ItemAffinity.Equals(other.ItemAffinity) || !ConsentHistory.Equals(other.ConsentHistory)
            || !Segments.Equals(other.Segments) || !Timers.Equals(other.Timers))
            return false;

        for (var i = 0; i < Math.Max(EventCounts.Count, other.EventCounts.Count); i++)
        {
            if (CountOf((EventType)i) != other.CountOf((EventType)i)) return false;
        }

        return RecentlyViewedItems.SequenceEqual(other.RecentlyViewedItems, StringComparer.Ordinal)
               && KnownIds.SequenceEqual(other.KnownIds, StringComparer.Ordinal)
               && SameEntries(Traits, other.Traits)
               && (Consent is null ? other.Consent is null : other.Consent is not null && SameEntries(Consent, other.Consent))
               && SamePurchase(LastPurchase, other.LastPurchase);
    }

    public override int GetHashCode() => HashCode.Combine(Id, EventsApplied, TotalRevenue);

    private static bool SameEntries<TValue>(IReadOnlyDictionary<string, TValue> a, IReadOnlyDictionary<string, TValue> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<TValue>.Default.Equals(value, other)) return false;
        }

        return true;
    }

    private static bool SamePurchase(PurchaseSummary? a, PurchaseSummary? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.OrderId == b.OrderId && a.At == b.At && a.Revenue == b.Revenue && a.Currency == b.Currency && a.Items.SequenceEqual(b.Items);

    /// <summary>Whether the user granted a purpose; false when never asked.</summary>
    public bool HasConsent(string purpose) => Consent is not null && Consent.TryGetValue(purpose, out var c) && c.Granted;
}
