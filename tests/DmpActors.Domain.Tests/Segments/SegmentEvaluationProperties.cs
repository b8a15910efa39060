using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>The segments module against a straightforward reference: every rule evaluated by the reference interpreter
/// after every event, memberships tracked in a dictionary, a change wherever a membership flips.</summary>
public class SegmentEvaluationProperties
{
    private static readonly RuleInputs NoInputs = new(null, new Dictionary<string, double>(), new Dictionary<string, int>());

    internal sealed record Case(UserEvent[] Events, RuleExpr[] Rules, bool[] Shadow)
    {
        public override string ToString() => string.Join(" | ", Rules.Select((r, i) => (Shadow[i] ? "shadow " : "") + RulePrinter.Print(r)));
    }

    private static Gen<Case> Cases =>
        from count in Gen.Choose(1, 40)
        from makers in ProfileGenerators.Event.ArrayOf(count)
        from minutes in Gen.Choose(0, 45 * 1440).ArrayOf(count)
        from rules in RuleGenerators.CheckedTree.ArrayOf(6)
        from shadow in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true))).ArrayOf(6)
        select new Case(Timed(makers, minutes), rules, shadow);

    private static UserEvent[] Timed(Func<int, UserEvent>[] makers, int[] minutes)
    {
        var times = minutes.Order().ToArray();
        return makers.Select((make, i) => make(i) with { Timestamp = ProfileGenerators.T0.AddMinutes(times[i]) }).ToArray();
    }

    private static SegmentSet SetOf(Case c) => SegmentSet.Build(1,
        c.Rules.Select((r, i) => new SegmentVersion($"s{i}", 1, RulePrinter.Print(r), c.Shadow[i], ProfileGenerators.T0)));

    [Property(MaxTest = 300)]
    public Property Evaluating_only_the_rules_an_event_can_change_decides_what_evaluating_every_rule_decides() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var set = SetOf(c);
            var profile = UserProfile.Empty("u1");
            var member = new bool[c.Rules.Length];
            var expected = new List<string>();
            var actual = new List<string>();
            int expectedShadow = 0, actualShadow = 0;
            foreach (var e in c.Events)
            {
                var result = ProfileReducer.Apply(profile, e, null, ProfileRules.Default, set);
                profile = result.Profile;
                for (var i = 0; i < result.Effects.Count; i++)
                {
                    if (result.Effects[i] is not SegmentsChanged changed) continue;
                    actual.AddRange(changed.Published.Select(x => $"{x.SegmentId} {x.Kind} {x.Cause}"));
                    actualShadow += changed.ShadowEntered + changed.ShadowExited;
                }

                var scenario = new Scenario(profile, profile.LastSeen!.Value, NoInputs);
                for (var i = 0; i < c.Rules.Length; i++)
                {
                    var now = ReferenceInterpreter.Eval(c.Rules[i], scenario);
                    if (now == member[i]) continue;
                    member[i] = now;
                    if (c.Shadow[i]) expectedShadow++;
                    else expected.Add($"s{i} {(now ? SegmentChangeKind.Entered : SegmentChangeKind.Exited)} event:{e.EventId}");
                }
            }

            var members = Enumerable.Range(0, member.Length).Where(i => member[i]).Select(i => $"s{i}");
            return (expected.SequenceEqual(actual) && expectedShadow == actualShadow
                    && profile.Segments.MemberIds().SequenceEqual(members)
                    && profile.Segments.Outbox.Select(x => $"{x.SegmentId} {x.Kind} {x.Cause}").SequenceEqual(expected))
                .Label($"expected [{string.Join(", ", expected)}] shadow {expectedShadow}, got [{string.Join(", ", actual)}] shadow {actualShadow}");
        });

    [Property(MaxTest = 100)]
    public Property Replaying_the_same_events_decides_the_same_changes_with_the_same_ids() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var first = Fold(c, SetOf(c));
            var again = Fold(c, SetOf(c));
            return first.Segments.Equals(again.Segments)
                   && first.Segments.Outbox.All(x => x.ChangeId == ChangeIds.Of("u1", x.SegmentId, x.Version, x.Cause));
        });

    private static UserProfile Fold(Case c, SegmentSet set) =>
        c.Events.Aggregate(UserProfile.Empty("u1"), (p, e) => ProfileReducer.Apply(p, e, null, ProfileRules.Default, set).Profile);
}
