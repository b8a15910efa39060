using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Modules;

/// <summary>
/// What a module sees while one event is applied: the profile as it was, the rules, the draft of the next profile
/// (each module writes only the members it owns, see <see cref="ProfileDraft"/>) and the effects buffer.
/// A ref struct passed by reference, so applying an event allocates no context.
/// </summary>
public ref struct ModuleContext
{
    private ModuleEffect? _first;
    private List<ModuleEffect>? _more;

    internal ModuleContext(UserProfile before, ProfileRules rules, Segments.SegmentSet segments)
    {
        Before = before;
        Rules = rules;
        SegmentSet = segments;
        Profile = ProfileDraft.From(before);
    }

    /// <summary>The profile before this event; modules earlier in the pipeline may already have changed
    /// <see cref="Profile"/>.</summary>
    public UserProfile Before { get; }

    public ProfileRules Rules { get; }

    /// <summary>The segments to evaluate after this event (the set current on the entity's node).</summary>
    public Segments.SegmentSet SegmentSet { get; }

    /// <summary>Set by the segments module: how long it took (Stopwatch ticks), for dmp.segments.evaluation.duration.</summary>
    public long SegmentTicks;

    /// <summary>The next profile's members, as the modules before this one left them.</summary>
    public ProfileDraft Profile;

    /// <summary>Set by the windows module: the event was too late for the windows (dmp.events.too_late).</summary>
    public bool TooLate;

    public void Emit(ModuleEffect effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        if (_first is null) _first = effect;
        else (_more ??= []).Add(effect);
    }

    internal readonly ModuleEffects Effects => ModuleEffects.Of(_first, _more);
}

/// <summary>
/// The members of the next profile that feature modules change, each owned by one module (named on the member).
/// Dedupe, the event count and the id belong to the pipeline itself.
/// </summary>
public struct ProfileDraft
{
    /// <summary><see cref="Profiles.ActivityModule"/>.</summary>
    public IReadOnlyList<long> EventCounts;

    /// <inheritdoc cref="EventCounts"/>
    public DateTimeOffset? FirstSeen, LastSeen;

    /// <inheritdoc cref="EventCounts"/>
    public IReadOnlyList<string> RecentlyViewedItems;

    /// <summary><see cref="Profiles.Value.PurchasesModule"/>.</summary>
    public decimal TotalRevenue;

    /// <inheritdoc cref="TotalRevenue"/>
    public int Orders;

    /// <inheritdoc cref="TotalRevenue"/>
    public PurchaseSummary? LastPurchase;

    /// <summary><see cref="Profiles.Privacy.TraitsModule"/>.</summary>
    public IReadOnlyDictionary<string, string> Traits;

    /// <summary><see cref="Profiles.Privacy.ConsentModule"/>.</summary>
    public IReadOnlyDictionary<string, ConsentState>? Consent;

    /// <inheritdoc cref="Consent"/>
    public Profiles.Privacy.ConsentHistory ConsentHistory;

    /// <summary><see cref="Profiles.Windows.WindowsModule"/>.</summary>
    public Profiles.Windows.BehaviourWindows Windows;

    /// <summary><see cref="Profiles.Affinity.AffinityModule"/>.</summary>
    public Profiles.Affinity.AffinityScores CategoryAffinity, ItemAffinity;

    /// <summary><see cref="Identity.IdentityHintsModule"/>.</summary>
    public IReadOnlyList<string> KnownIds;

    /// <summary><see cref="Segments.Evaluation.SegmentsModule"/>.</summary>
    public Segments.Evaluation.SegmentMemberships Segments;

    internal static ProfileDraft From(UserProfile p) => new()
    {
        EventCounts = p.EventCounts,
        FirstSeen = p.FirstSeen,
        LastSeen = p.LastSeen,
        RecentlyViewedItems = p.RecentlyViewedItems,
        TotalRevenue = p.TotalRevenue,
        Orders = p.Orders,
        LastPurchase = p.LastPurchase,
        Traits = p.Traits,
        Consent = p.Consent,
        ConsentHistory = p.ConsentHistory,
        Windows = p.Windows,
        CategoryAffinity = p.CategoryAffinity,
        ItemAffinity = p.ItemAffinity,
        KnownIds = p.KnownIds,
        Segments = p.Segments,
    };

    /// <summary>One copy of the profile record, with every member the modules own taken from the draft.</summary>
    internal readonly UserProfile ApplyTo(UserProfile before, DedupeState dedupe) => before with
    {
        EventCounts = EventCounts,
        FirstSeen = FirstSeen,
        LastSeen = LastSeen,
        RecentlyViewedItems = RecentlyViewedItems,
        TotalRevenue = TotalRevenue,
        Orders = Orders,
        LastPurchase = LastPurchase,
        Traits = Traits,
        Consent = Consent,
        ConsentHistory = ConsentHistory,
        Windows = Windows,
        CategoryAffinity = CategoryAffinity,
        ItemAffinity = ItemAffinity,
        KnownIds = KnownIds,
        Segments = Segments,
        Dedupe = dedupe,
        EventsApplied = Saturating.Add(before.EventsApplied, 1),
    };
}
