using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles.Affinity;

namespace DmpActors.Domain.Profiles;

/// <summary>
/// Applies events to profiles through the feature modules of <see cref="FeaturePipeline.Profile"/>. Pure: the result
/// depends only on the arguments, and the input profile is never changed. Dedupe first (replayed position, then recent
/// event id), then one copy of the profile record with only the touched collections rebuilt. Time is the event's own:
/// windows and affinities age by the latest event time seen (the watermark), never by the clock, so replaying the
/// same events gives the same profile.
/// </summary>
public static class ProfileReducer
{
    /// <summary>Signal weights for affinities (<see cref="AffinityModule"/>).</summary>
    public const double ViewWeight = AffinityModule.ViewWeight, CartWeight = AffinityModule.CartWeight, PurchaseWeight = AffinityModule.PurchaseWeight;

    /// <summary>Applies with <see cref="ProfileRules.Default"/>.</summary>
    public static ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position) => Apply(profile, e, position, ProfileRules.Default);

    /// <summary>Consumes an event that could not be applied: only its id and position are recorded, so its replay is
    /// judged a replay and its producer duplicate a duplicate; nothing else about the user changes.</summary>
    public static UserProfile Consume(UserProfile profile, UserEvent e, EventPosition? position) =>
        profile with { Dedupe = profile.Dedupe.Record(e.EventId, position) };

    /// <param name="position">The event's Kafka position, or null when it did not come from Kafka.</param>
    public static ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position, ProfileRules rules) =>
        FeaturePipeline.Profile.Apply(profile, e, position, rules);

    /// <summary>Applies, then evaluates <paramref name="segments"/> against the profile after the event.</summary>
    public static ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position, ProfileRules rules, Segments.SegmentSet segments) =>
        FeaturePipeline.Profile.Apply(profile, e, position, rules, segments);

    /// <summary>Applies events in order; duplicates and replays are skipped as in <see cref="Apply(UserProfile, UserEvent, EventPosition?, ProfileRules)"/>.</summary>
    public static UserProfile ApplyAll(UserProfile profile, IEnumerable<(UserEvent, EventPosition?)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var (e, position) in events) profile = Apply(profile, e, position).Profile;
        return profile;
    }
}
