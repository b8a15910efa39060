using System.Diagnostics;
using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Segments.Evaluation;

/// <summary>
/// Evaluates the node's segment set after every applied event (<see cref="SegmentEvaluator"/>), and keeps the
/// memberships and the outbox of changes to publish in the profile. Runs last: the rules read what the other modules
/// wrote. The rules are evaluated at the profile's latest event time, so a replay decides exactly what the first run did.
/// Rules that time alone can change are not evaluated on every event: the module keeps one timer
/// (<see cref="RecheckKey"/>) at the earliest instant one of them could change, and evaluates them when an event
/// reaches it or the timer fires.
/// </summary>
public sealed class SegmentsModule : ITimerModule
{
    /// <summary>The key of the module's one timer: re-check the clock-dependent rules.</summary>
    public const string RecheckKey = "recheck";

    public static SegmentsModule Instance { get; } = new();

    private SegmentsModule() { }

    public string Name => "segments";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        var set = ctx.SegmentSet;
        var previous = ctx.Profile.Segments;
        if (set.Segments.Count == 0 && previous.Entries.Count == 0 && previous.Revision == set.Revision)
        {
            if (ctx.Before.Timers.Find(Name, RecheckKey) is not null) ctx.Emit(new ScheduleTimer(Name, RecheckKey, null));
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var change = new InputChange(e.Type, ctx.Profile.FirstSeen != ctx.Before.FirstSeen, ctx.Profile.LastSeen != ctx.Before.LastSeen,
            // A session starts a new count; a late event (time did not move) may join or split sessions.
            ctx.Profile.Windows.LifetimeSessions != ctx.Before.Windows.LifetimeSessions || ctx.Profile.LastSeen == ctx.Before.LastSeen);
        var recheckAt = ctx.Before.Timers.Find(Name, RecheckKey);
        var now = ctx.Profile.LastSeen ?? e.Timestamp;
        if (SegmentEvaluator.Needed(previous, set, change, recheckAt <= now))
        {
            // The rules read a whole profile: the one this event makes, without the pipeline's own bookkeeping.
            var after = ctx.Profile.ApplyTo(ctx.Before, ctx.Before.Dedupe);
            var result = SegmentEvaluator.Evaluate(previous, set, after, SegmentCause.Event(e.EventId), now, change, recheckAt);
            ctx.Profile.Segments = result.Memberships;
            if (result.Changed) ctx.Emit(new SegmentsChanged(result.Published, result.ShadowEntered, result.ShadowExited));
            if (result.Recheck != recheckAt) ctx.Emit(new ScheduleTimer(Name, RecheckKey, result.Recheck));
        }

        ctx.SegmentTicks = Stopwatch.GetTimestamp() - started;
    }

    /// <summary>Time alone may have changed an outcome: every rule is evaluated at <paramref name="now"/> (the clock's
    /// time, at or after the due time), the changes caused by the timer, and the next re-check scheduled.</summary>
    public void OnTimer(ref ModuleContext ctx, UserTimer timer, DateTimeOffset now)
    {
        var started = Stopwatch.GetTimestamp();
        var profile = ctx.Before;
        if (profile.LastSeen is { } last && last > now) now = last; // never judge the profile before its own events
        var result = SegmentEvaluator.Evaluate(profile.Segments, ctx.SegmentSet, profile, SegmentCause.Timer(timer.DueAt), now,
            change: null, recheckAt: null);
        ctx.Profile.Segments = result.Memberships;
        if (result.Changed) ctx.Emit(new SegmentsChanged(result.Published, result.ShadowEntered, result.ShadowExited));
        if (result.Recheck is not null) ctx.Emit(new ScheduleTimer(Name, RecheckKey, result.Recheck));
        ctx.SegmentTicks = Stopwatch.GetTimestamp() - started;
    }
}

/// <summary>The event changed memberships: <see cref="Published"/> are in the profile's outbox (the entity publishes them
/// after the checkpoint that makes them durable); the shadow counts are for the metrics.</summary>
public sealed record SegmentsChanged(IReadOnlyList<SegmentChange> Published, int ShadowEntered, int ShadowExited) : ModuleEffect
{
    public bool Equals(SegmentsChanged? other) =>
        other is not null && Published.SequenceEqual(other.Published) && ShadowEntered == other.ShadowEntered && ShadowExited == other.ShadowExited;

    public override int GetHashCode() => HashCode.Combine(Published.Count, ShadowEntered, ShadowExited);
}
