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
}

/// <summary>
/// Decides which segments a user enters and leaves, given the memberships before, the segment set and the profile after
/// an event. Pure and deterministic: the same inputs give the same changes with the same ids.
/// </summary>
/// <remarks>
/// The first evaluation under a segment set's revision evaluates every rule (<see cref="SegmentMemberships.Revision"/>).
/// After that, an event evaluates only the rules whose inputs that event type can change, the rules that depend on the
/// clock when the event moved the evaluation time (<paramref name="timeMoved"/>), and the segments whose version differs
/// from the one the membership knows (a changed definition). Without an event (<c>changedBy</c> null, a
/// backfill's re-evaluation) every rule is. A segment gone from a non-empty set ends its memberships.
/// </remarks>
public static class SegmentEvaluator
{
    [ThreadStatic] private static RuleContext? t_context;

    /// <summary>Whether <see cref="Evaluate"/> would evaluate anything or end any membership: false lets the caller skip
    /// building the profile the rules read.</summary>
    public static bool Needed(SegmentMemberships previous, SegmentSet set, EventType? changedBy, bool timeMoved)
    {
        if (previous.Revision != set.Revision) return true;
        foreach (var segment in set.Segments)
        {
            if (changedBy is not { } type || segment.Rule.ChangedBy(type) || (timeMoved && segment.Rule.DependsOnClock)) return true;
            if (previous.Find(segment.Id) is { } known && known.Version != segment.Version) return true;
        }

        return set.Revision > 0 && previous.Entries.Any(e => e.Member && set.Find(e.SegmentId) is null);
    }

    /// <param name="timeMoved">The evaluation time is later than at the previous evaluation.</param>
    public static SegmentEvaluation Evaluate(SegmentMemberships previous, SegmentSet set, UserProfile after, SegmentCause cause,
        DateTimeOffset now, EventType? changedBy, bool timeMoved = true, IRuleInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(after);
        var context = t_context is { } cached && ReferenceEquals(cached.Compiler, set.Compiler) ? cached : t_context = set.Compiler.CreateContext();
        context.Reset(after, now, inputs);

        if (previous.Revision != set.Revision) changedBy = null;
        Dictionary<string, SegmentMembership>? updated = null;
        List<SegmentChange>? published = null;
        int shadowEntered = 0, shadowExited = 0, evaluated = 0;

        foreach (var segment in set.Segments)
        {
            var known = previous.Find(segment.Id);
            var stale = known is not null && known.Version != segment.Version;
            if (changedBy is { } type && !stale && !segment.Rule.ChangedBy(type) && !(timeMoved && segment.Rule.DependsOnClock)) continue;
            evaluated++;
            var member = segment.Rule.Evaluate(context);
            Decide(segment.Id, segment.Version, segment.Shadow, member, known);
        }

        if (set.Revision > 0)
        {
            foreach (var known in previous.Entries)
                if (known.Member && set.Find(known.SegmentId) is null) Decide(known.SegmentId, known.Version, known.Shadow, false, known);
        }

        if (updated is null)
        {
            var same = previous.Revision == set.Revision ? previous : new SegmentMemberships(previous.Entries, previous.Outbox, set.Revision);
            return new SegmentEvaluation(same, [], 0, 0, evaluated);
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
        return new SegmentEvaluation(new SegmentMemberships(entries, outbox, set.Revision), emitted, shadowEntered, shadowExited, evaluated);

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
