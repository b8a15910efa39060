using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Segments.Evaluation;

/// <summary>The outcome of evaluating one user's segments.</summary>
/// <param name="Memberships">The next memberships, with <see cref="Published"/> appended to the outbox; the same
/// instance as before when nothing changed.</param>
/// <param name="Published">Changes of live segments, to publish.</param>
/// <param name="ShadowEntered">Changes of shadow segments: counted, never published.</param>
/// <param name="Evaluated">How many rules were evaluated.</param>
public sealed record SegmentEvaluation(SegmentMemberships Memberships, IReadOnlyList<SegmentChange> Published, int ShadowEntered, int ShadowExited, int Evaluated)
{
    public bool Changed => Published.Count > 0 || ShadowEntered > 0 || ShadowExited > 0;

    /// <summary>When time alone could next change an outcome (the re-check timer), null when it cannot; only when
    /// the evaluation was asked to schedule.</summary>
    public DateTimeOffset? Recheck { get; init; }
}

/// <summary>
/// Decides which segments a user enters and leaves, given the memberships before, the segment set and the profile after
/// an event. Pure and deterministic: the same inputs give the same changes with the same ids.
/// </summary>
/// <remarks>
/// The first evaluation under a segment set's revision evaluates every rule (<see cref="SegmentMemberships.Revision"/>).
/// After that, an event evaluates only the rules whose inputs it can have changed (<see cref="InputChange"/>), the
/// segments whose version differs from the one the membership knows (a changed definition), and the rules that depend
/// on the clock only once the re-check time has come: the earliest instant at which time alone could change one of
/// them, kept as the user's timer. Without an event (<c>change</c> null: a backfill's re-evaluation or the timer
/// itself) every rule is. A segment gone from a non-empty set ends its memberships.
/// </remarks>
public static class SegmentEvaluator
{
    [ThreadStatic] private static RuleContext? t_context;

    /// <summary>Whether <see cref="Evaluate(SegmentMemberships, SegmentSet, UserProfile, SegmentCause, DateTimeOffset, InputChange?, DateTimeOffset?, IRuleInputs?)"/>
    /// would evaluate anything or end any membership: false lets the caller skip building the profile the rules read.</summary>
    public static bool Needed(SegmentMemberships previous, SegmentSet set, InputChange? change, bool clockDue)
    {
        if (previous.Revision != set.Revision) return true;
        foreach (var segment in set.Segments)
        {
            if (change is not { } c || segment.Rule.ChangedBy(c) || (clockDue && segment.Rule.DependsOnClock)) return true;
            if (previous.Find(segment.Id) is { } known && known.Version != segment.Version) return true;
        }

        return set.Revision > 0 && previous.Entries.Any(e => e.Member && set.Find(e.SegmentId) is null);
    }

    /// <summary>As the other overload with only the event type known, clock-dependent rules evaluated when the
    /// evaluation time moved, and no re-check time computed.</summary>
    public static bool Needed(SegmentMemberships previous, SegmentSet set, EventType? changedBy, bool timeMoved) =>
        Needed(previous, set, changedBy is { } t ? InputChange.AnyOf(t) : null, timeMoved);

    /// <param name="timeMoved">The evaluation time is later than at the previous evaluation: every clock-dependent rule
    /// is evaluated.</param>
    public static SegmentEvaluation Evaluate(SegmentMemberships previous, SegmentSet set, UserProfile after, SegmentCause cause,
        DateTimeOffset now, EventType? changedBy, bool timeMoved = true, IRuleInputs? inputs = null) =>
        Run(previous, set, after, cause, now, changedBy is { } t ? InputChange.AnyOf(t) : null, timeMoved, schedule: false, null, inputs);

    /// <summary>Evaluates and computes the next re-check time (<see cref="SegmentEvaluation.Recheck"/>).</summary>
    /// <param name="change">What the event changed; null without an event (every rule is evaluated).</param>
    /// <param name="recheckAt">The re-check time decided before: clock-dependent rules are evaluated once
    /// <paramref name="now"/> reaches it.</param>
    public static SegmentEvaluation Evaluate(SegmentMemberships previous, SegmentSet set, UserProfile after, SegmentCause cause,
        DateTimeOffset now, InputChange? change, DateTimeOffset? recheckAt, IRuleInputs? inputs = null) =>
        Run(previous, set, after, cause, now, change, recheckAt <= now, schedule: true, recheckAt, inputs);

    private static SegmentEvaluation Run(SegmentMemberships previous, SegmentSet set, UserProfile after, SegmentCause cause,
        DateTimeOffset now, InputChange? change, bool clockDue, bool schedule, DateTimeOffset? recheckAt, IRuleInputs? inputs)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(after);
        var context = t_context is { } cached && ReferenceEquals(cached.Compiler, set.Compiler) ? cached : t_context = set.Compiler.CreateContext();
        context.Reset(after, now, inputs);

        if (previous.Revision != set.Revision) change = null;
        // Every clock-dependent rule evaluated now gives its whole next-change time; otherwise the earlier minimum
        // stands for the clauses this event left alone.
        var allClock = change is null || clockDue;
        var recheck = allClock ? null : recheckAt;
        Dictionary<string, SegmentMembership>? updated = null;
        List<SegmentChange>? published = null;
        int shadowEntered = 0, shadowExited = 0, evaluated = 0;

        foreach (var segment in set.Segments)
        {
            var known = previous.Find(segment.Id);
            var stale = known is not null && known.Version != segment.Version;
            if (change is { } c && !stale && !segment.Rule.ChangedBy(c) && !(clockDue && segment.Rule.DependsOnClock)) continue;
            evaluated++;
            var member = segment.Rule.Evaluate(context);
            Decide(segment.Id, segment.Version, segment.Shadow, member, known);
            if (!schedule || !segment.Rule.DependsOnClock) continue;
            var next = allClock || stale || change is null ? segment.Rule.NextChange(context) : segment.Rule.NextChange(context, change.Value);
            if (next is { } at && (recheck is null || at < recheck)) recheck = at;
        }

        if (set.Revision > 0)
        {
            foreach (var known in previous.Entries)
                if (known.Member && set.Find(known.SegmentId) is null) Decide(known.SegmentId, known.Version, known.Shadow, false, known);
        }

        if (updated is null)
        {
            var same = previous.Revision == set.Revision ? previous : new SegmentMemberships(previous.Entries, previous.Outbox, set.Revision);
            return new SegmentEvaluation(same, [], 0, 0, evaluated) { Recheck = recheck };
        }

        var entries = previous.Entries.Where(e => !updated.ContainsKey(e.SegmentId)).Concat(updated.Values).ToList();
        var exits = entries.Where(e => !e.Member).ToList();
        if (exits.Count > SegmentMemberships.MaxExits)
        {
            var dropped = exits.OrderBy(e => e.Since).ThenBy(e => e.SegmentId, StringComparer.Ordinal)
                .Take(exits.Count - SegmentMemberships.MaxExits).Select(e => e.SegmentId).ToHashSet(StringComparer.Ordinal);
            entries.RemoveAll(e => !e.Member && dropped.Contains(e.SegmentId));
        }

        IReadOnlyList<SegmentChange> emitted = published ?? (IReadOnlyList<SegmentChange>)[];
        var outbox = emitted.Count == 0 ? previous.Outbox : [.. previous.Outbox, .. emitted];
        return new SegmentEvaluation(new SegmentMemberships(entries, outbox, set.Revision), emitted, shadowEntered, shadowExited, evaluated)
        {
            Recheck = recheck,
        };

        void Decide(string id, int version, bool shadow, bool member, SegmentMembership? known)
        {
            // What consumers of the change topic believe: only live memberships were ever published.
            var visible = known is { Member: true, Shadow: false };
            var was = known?.Member == true;
            if (shadow ? member == was : member == visible)
            {
                if (known is not null && (known.Version != version || known.Member != member))
                    (updated ??= new(StringComparer.Ordinal))[id] = known with { Version = version, Member = member, Shadow = shadow };
                return;
            }

            var kind = member ? SegmentChangeKind.Entered : SegmentChangeKind.Exited;
            var change = new SegmentChange(ChangeIds.Of(after.Id, id, version, cause), after.Id, id, version, kind, cause, now);
            (updated ??= new(StringComparer.Ordinal))[id] = new SegmentMembership(id, version, member, shadow, now, change.ChangeId, cause);
            if (!shadow) (published ??= []).Add(change);
            else if (member) shadowEntered++;
            else shadowExited++;
        }
    }
}
