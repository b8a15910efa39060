using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Value;
using DmpActors.Domain.Profiles.Windows;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;

namespace DmpActors.Domain.Modules;

/// <summary>
/// Applies an event to a profile: dedupe first (replayed position, then recent event id), then every feature module
/// in a fixed order, then one copy of the profile record. Pure: the input profile is never changed, and time is the
/// event's own (windows and affinities age by the watermark, never by a clock).
/// </summary>
/// <remarks>
/// The order is part of the result: consent runs before the windows and affinities, because consent as it stands
/// after the event decides what they record. A new module goes where what it reads has been written.
/// </remarks>
public sealed class FeaturePipeline
{
    /// <summary>The modules every user profile runs, in order.</summary>
    public static FeaturePipeline Profile { get; } = new(
    [
        ActivityModule.Instance,
        PurchasesModule.Instance,
        TraitsModule.Instance,
        ConsentModule.Instance,
        WindowsModule.Instance,
        AffinityModule.Instance,
        IdentityHintsModule.Instance,
        SegmentsModule.Instance, // last: the rules read what every other module wrote
    ]);

    private readonly IFeatureModule[] _modules;

    public FeaturePipeline(IReadOnlyList<IFeatureModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in modules)
            if (!names.Add(module.Name)) throw new ArgumentException($"module '{module.Name}' is registered twice", nameof(modules));
        _modules = modules.ToArray();
    }

    public IReadOnlyList<IFeatureModule> Modules => _modules;

    /// <param name="position">The event's Kafka position, or null when it did not come from Kafka.</param>
    /// <param name="segments">The segments evaluated after the event; none when null.</param>
    public ApplyResult Apply(UserProfile profile, UserEvent e, EventPosition? position, ProfileRules rules, SegmentSet? segments = null)
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

        var ctx = new ModuleContext(profile, rules, segments ?? SegmentSet.Empty);
        foreach (var module in _modules) module.OnEvent(ref ctx, e);
        var effects = ctx.Effects;
        var next = WithTimers(ctx.Profile.ApplyTo(profile, dedupe.Record(idHash, position)), effects);
        return new ApplyResult(next, ApplyOutcome.Applied, ctx.TooLate, effects)
        {
            SegmentTicks = ctx.SegmentTicks,
        };
    }

    /// <summary>Calls the module that owns a due timer (<see cref="ITimerModule"/>) at <paramref name="now"/>. The fired
    /// timer is removed from the result's profile; what the module schedules comes back as <see cref="ScheduleTimer"/>
    /// effects. A timer of a module this pipeline does not run (or that takes no timers) is just removed.</summary>
    public ApplyResult Fire(UserProfile profile, UserTimer timer, DateTimeOffset now, ProfileRules rules, SegmentSet? segments = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rules);
        var without = profile with { Timers = profile.Timers.With(timer.Module, timer.Key, null) };
        if (Array.Find(_modules, m => m.Name == timer.Module) is not ITimerModule module) return new ApplyResult(without, ApplyOutcome.Applied);
        var ctx = new ModuleContext(without, rules, segments ?? SegmentSet.Empty);
        module.OnTimer(ref ctx, timer, now);
        // Not an event: the event count and the dedupe marks stay as they were.
        var fired = ctx.Profile.ApplyTo(without, without.Dedupe) with { EventsApplied = without.EventsApplied };
        return new ApplyResult(WithTimers(fired, ctx.Effects), ApplyOutcome.Applied, Effects: ctx.Effects) { SegmentTicks = ctx.SegmentTicks };
    }

    /// <summary>The timers the modules scheduled (<see cref="ScheduleTimer"/>) are part of the next profile, so the fold
    /// alone gives the whole next state; the effect tells the entity its timers changed.</summary>
    private static UserProfile WithTimers(UserProfile profile, ModuleEffects effects)
    {
        var timers = profile.Timers;
        for (var i = 0; i < effects.Count; i++)
            if (effects[i] is ScheduleTimer schedule) timers = timers.With(schedule.Module, schedule.Key, schedule.DueAt);
        return ReferenceEquals(timers, profile.Timers) ? profile : profile with { Timers = timers };
    }
}
