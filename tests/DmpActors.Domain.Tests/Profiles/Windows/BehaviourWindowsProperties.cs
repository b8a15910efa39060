using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static DmpActors.Domain.Tests.Profiles.Windows.WindowReference;

namespace DmpActors.Domain.Tests.Profiles.Windows;

/// <summary>Window values against the brute-force <see cref="WindowReference"/> over random event sequences.</summary>
public class BehaviourWindowsProperties
{
    [Property(MaxTest = 300)]
    public Property Every_window_value_equals_the_brute_force_reference_at_any_later_query_time() =>
        Prop.ForAll(InOrder(150).ToArbitrary(), Gen.Choose(0, 40 * 24 * 60).ToArbitrary(), (events, minutesLater) =>
        {
            var windows = Record(events);
            var now = events.Max(e => e.Timestamp).AddMinutes(minutesLater);
            foreach (var (name, span) in WindowSpans.Standard)
            {
                var expected = Describe(Expected(events, span, now));
                var actual = Describe(windows.ValuesFor(span, now));
                if (expected != actual) return false.Label($"{name} at +{minutesLater} min\nexpected {expected}\nactual   {actual}");
            }

            return true.ToProperty();
        });

    [Property(MaxTest = 300)]
    public Property Out_of_order_arrival_within_the_allowed_lateness_gives_the_same_windows_as_in_order() =>
        Prop.ForAll(InOrder(150).SelectMany(es => ShuffledWithin(es, Rules.AllowedLateness).Select(shuffled => (es, shuffled))).ToArbitrary(), pair =>
        {
            var watermark = pair.es.Max(e => e.Timestamp);
            var inOrder = Record(pair.es);
            var shuffled = Record(pair.shuffled);
            return (Describe(inOrder, watermark) == Describe(shuffled, watermark)
                    && inOrder.LifetimeSessions == shuffled.LifetimeSessions && shuffled.TooLateEvents == 0)
                .Label($"in order:\n{Describe(inOrder, watermark)}\nshuffled:\n{Describe(shuffled, watermark)}");
        });

    [Property(MaxTest = 200)]
    public Property Out_of_order_arrival_within_the_allowed_lateness_gives_the_same_profile_windows_through_the_reducer() =>
        Prop.ForAll(InOrder(80).SelectMany(es => ShuffledWithin(es, Rules.AllowedLateness).Select(shuffled => (es, shuffled))).ToArbitrary(), pair =>
        {
            var watermark = pair.es.Max(e => e.Timestamp);
            var inOrder = ProfileReducer.ApplyAll(UserProfile.Empty("u1"), pair.es.Select(e => (e, (EventPosition?)null)));
            var shuffled = ProfileReducer.ApplyAll(UserProfile.Empty("u1"), pair.shuffled.Select(e => (e, (EventPosition?)null)));
            var sameAffinity = inOrder.CategoryAffinity.Top(16, watermark, Rules).Zip(shuffled.CategoryAffinity.Top(16, watermark, Rules))
                .All(x => x.First.Key == x.Second.Key && Math.Abs(x.First.Score - x.Second.Score) <= 1e-9 * Math.Max(1, x.First.Score));
            return (Describe(inOrder.Windows, watermark) == Describe(shuffled.Windows, watermark) && sameAffinity).ToProperty();
        });

    [Property(MaxTest = 200)]
    public Property Merging_two_users_windows_counts_what_one_profile_with_all_their_events_counts_in_either_order() =>
        Prop.ForAll(InOrder(120).ToArbitrary(), Gen.Choose(0, 1).ArrayOf(120).ToArbitrary(), (events, sides) =>
        {
            var a = Record(events.Where((_, i) => sides[i] == 0));
            var b = Record(events.Where((_, i) => sides[i] == 1));
            var one = Record(events);
            var ab = a.Merge(b, Rules);
            var ba = b.Merge(a, Rules);
            var watermark = events.Max(e => e.Timestamp);
            foreach (var (name, span) in WindowSpans.Standard)
            {
                var expected = one.ValuesFor(span, watermark);
                var (x, y) = (ab.ValuesFor(span, watermark), ba.ValuesFor(span, watermark));
                if (Describe(expected, withSessions: false) != Describe(x, withSessions: false) || Describe(x) != Describe(y))
                    return false.Label($"{name}: one {Describe(expected)}\nab {Describe(x)}\nba {Describe(y)}");
                // Sessions that touch across the two users join only while both are within reach of new events.
                var separate = Expected(events.Where((_, i) => sides[i] == 0).ToArray(), span, watermark, watermark).Sessions
                               + Expected(events.Where((_, i) => sides[i] == 1).ToArray(), span, watermark, watermark).Sessions;
                if (x.Sessions < expected.Sessions || x.Sessions > separate)
                    return false.Label($"{name}: merged sessions {x.Sessions} outside [{expected.Sessions}, {separate}]");
            }

            return true.ToProperty();
        });

    [Property(MaxTest = 100)]
    public Property Restoring_windows_from_their_parts_gives_equal_windows() =>
        Prop.ForAll(InOrder(150).ToArbitrary(), events =>
        {
            var w = Record(events);
            var p = w.Parts;
            var restored = BehaviourWindows.Restore(p.Watermark, p.Words, p.Spans, p.Categories, p.Campaigns, p.LifetimeSessions, p.TooLateEvents,
                DistinctItems.Restore([.. w.Items.ExactEntries], [.. w.Items.SketchWords]));
            return restored.Equals(w).ToProperty();
        });
}
