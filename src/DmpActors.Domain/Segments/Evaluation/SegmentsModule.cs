using System.Diagnostics;
using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Segments.Evaluation;

/// <summary>
/// Evaluates the node's segment set after every applied event (<see cref="SegmentEvaluator"/>), and keeps the
/// memberships and the outbox of changes to publish in the profile. Runs last: the rules read what the other modules
/// wrote. The rules are evaluated at the profile's latest event time, so a replay decides exactly what the first run did.
/// </summary>
public sealed class SegmentsModule : IFeatureModule
{
    public static SegmentsModule Instance { get; } = new();

    private SegmentsModule() { }

    public string Name => "segments";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        var set = ctx.SegmentSet;
        var previous = ctx.Profile.Segments;
        if (set.Segments.Count == 0 && previous.Entries.Count == 0 && previous.Revision == set.Revision) return;
        var started = Stopwatch.GetTimestamp();
        var timeMoved = ctx.Profile.LastSeen != ctx.Before.LastSeen;
        if (SegmentEvaluator.Needed(previous, set, e.Type, timeMoved))
        {
            // The rules read a whole profile: the one this event makes, without the pipeline's own bookkeeping.
            var after = ctx.Profile.ApplyTo(ctx.Before, ctx.Before.Dedupe);
            var now = after.LastSeen ?? e.Timestamp;
            var result = SegmentEvaluator.Evaluate(previous, set, after, SegmentCause.Event(e.EventId), now, e.Type, timeMoved);
            ctx.Profile.Segments = result.Memberships;
            if (result.Changed) ctx.Emit(new SegmentsChanged(result.Published, result.ShadowEntered, result.ShadowExited));
        }

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
