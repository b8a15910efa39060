using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <param name="Rules">Merge safety rules (Dmp:Identity).</param>
/// <param name="QuarantinePeriod">How long an erased id refuses events (Dmp:Privacy:QuarantinePeriod).</param>
/// <param name="MergeTimeout">How long a merge may wait for the other entity before it is abandoned and replayed.</param>
public sealed record UserActorSettings(TimeSpan RetryDelay, MergeRules Rules, TimeSpan QuarantinePeriod, TimeSpan MergeTimeout, TimeProvider Clock)
{
    public static readonly UserActorSettings Default =
        new(TimeSpan.FromSeconds(1), MergeRules.Default, TimeSpan.FromDays(30), TimeSpan.FromSeconds(10), TimeProvider.System);

    /// <summary>Where this node's entities report the profiles they isolate.</summary>
    public IsolatedProfiles Isolated { get; init; } = new(TimeProvider.System);

    /// <summary>The segments this node's entities evaluate (one registry per engine).</summary>
    public Segments.SegmentRegistry Segments { get; init; } = new();

    /// <summary>What "now" is for time-dependent profile values (Dmp:Profiles:Clock): <see cref="Clock"/> unless the
    /// engine follows event time (<see cref="EventTimeClock"/>).</summary>
    public TimeProvider ProfileClock { get; init; } = TimeProvider.System;

    /// <summary>Samples and scores users for the models (one per engine); none in entity tests that need no models.</summary>
    public Models.ModelHook? Models { get; init; }

    /// <summary>The rules every event is applied with (Dmp:Profiles).</summary>
    public ProfileRules ProfileRules { get; init; } = ProfileRules.Default;

    /// <summary>Where entities publish their durable segment changes (the changes topic and the engine's hub).</summary>
    public Segments.SegmentChangePublisher SegmentChanges { get; init; } = new(new Segments.SegmentChangeHub());

    /// <summary>The fold each event goes through; <see cref="ProfileReducer.Apply(UserProfile, UserEvent, EventPosition?, ProfileRules, Domain.Segments.SegmentSet)"/>
    /// (the feature modules, segments last) unless a test needs one that fails.</summary>
    public Func<UserProfile, UserEvent, EventPosition?, ProfileRules, Domain.Segments.SegmentSet, ApplyResult> Reduce { get; init; } = ProfileReducer.Apply;
}
