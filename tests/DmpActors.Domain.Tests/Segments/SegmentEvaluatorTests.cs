using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using Given = DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Segments;

public class SegmentEvaluatorTests
{
    private static SegmentSet Set(long revision, params (string Id, int Version, string Rule, bool Shadow)[] segments) =>
        SegmentSet.Build(revision, segments.Select(s => new SegmentVersion(s.Id, s.Version, s.Rule, s.Shadow, Given.T0)));

    private static readonly SegmentSet Buyers = Set(1, ("buyers", 1, "orders >= 1", false));

    private static UserProfile Apply(UserProfile p, Domain.Events.UserEvent e, SegmentSet set) =>
        ProfileReducer.Apply(p, e, null, ProfileRules.Default, set).Profile;

    [Fact]
    public void A_purchase_enters_the_buyers_segment_once_with_a_change_id_from_user_segment_version_and_event()
    {
        // Given a user who only browsed
        var profile = Apply(UserProfile.Empty("u1"), Given.PageView("e1"), Buyers);
        Assert.Empty(profile.Segments.Outbox);

        // When they buy, and buy again
        profile = Apply(profile, Given.Purchase("e2", "o1", 10m, 1), Buyers);
        profile = Apply(profile, Given.Purchase("e3", "o2", 10m, 2), Buyers);

        // Then one enter, caused by the first purchase, and a membership since then
        var change = Assert.Single(profile.Segments.Outbox);
        Assert.Equal(new SegmentChange(ChangeIds.Of("u1", "buyers", 1, SegmentCause.Event("e2")), "u1", "buyers", 1,
            SegmentChangeKind.Entered, SegmentCause.Event("e2"), Given.T0.AddMinutes(1)), change);
        Assert.Equal(["buyers"], profile.Segments.MemberIds());
        Assert.Equal(Given.T0.AddMinutes(1), profile.Segments.Find("buyers")!.Since);
    }

    [Fact]
    public void Change_ids_differ_by_every_part_and_are_stable()
    {
        var id = ChangeIds.Of("u1", "s", 1, SegmentCause.Event("e1"));
        Assert.Equal(64, id.Length);
        Assert.Equal(id, ChangeIds.Of("u1", "s", 1, SegmentCause.Event("e1")));
        Assert.NotEqual(id, ChangeIds.Of("u2", "s", 1, SegmentCause.Event("e1")));
        Assert.NotEqual(id, ChangeIds.Of("u1", "t", 1, SegmentCause.Event("e1")));
        Assert.NotEqual(id, ChangeIds.Of("u1", "s", 2, SegmentCause.Event("e1")));
        Assert.NotEqual(id, ChangeIds.Of("u1", "s", 1, SegmentCause.Evaluation(1)));
    }

    [Fact]
    public void An_event_that_cannot_change_a_rules_inputs_does_not_evaluate_it()
    {
        var profile = Apply(UserProfile.Empty("u1"), Given.Purchase("e1", "o1", 10m), Buyers);

        var evaluation = SegmentEvaluator.Evaluate(profile.Segments, Buyers, profile, SegmentCause.Event("e2"), Given.T0,
            Domain.Events.EventType.PageView, timeMoved: false);

        Assert.Equal(0, evaluation.Evaluated);
        Assert.Same(profile.Segments, evaluation.Memberships);
    }

    [Fact]
    public void A_shadow_segment_is_evaluated_and_counted_but_publishes_nothing_until_it_goes_live()
    {
        // Given a shadow segment the user qualifies for
        var shadow = Set(1, ("buyers", 1, "orders >= 1", true));
        var profile = UserProfile.Empty("u1");
        var result = ProfileReducer.Apply(profile, Given.Purchase("e1", "o1", 10m), null, ProfileRules.Default, shadow);

        // Then it is counted, recorded as a shadow membership, and nothing is in the outbox
        var effect = Assert.Single(Enumerable.Range(0, result.Effects.Count).Select(i => result.Effects[i]).OfType<SegmentsChanged>());
        Assert.Equal((0, 1), (effect.Published.Count, effect.ShadowEntered));
        Assert.Empty(result.Profile.Segments.Outbox);
        Assert.True(result.Profile.Segments.Find("buyers")!.Shadow);

        // When the segment goes live as version 2, the next event publishes the enter consumers never saw
        var live = Set(2, ("buyers", 2, "orders >= 1", false));
        profile = Apply(result.Profile, Given.PageView("e2", 1), live);
        var change = Assert.Single(profile.Segments.Outbox);
        Assert.Equal((SegmentChangeKind.Entered, 2), (change.Kind, change.Version));
    }

    [Fact]
    public void A_changed_definition_is_evaluated_on_the_next_event_and_a_removed_segment_is_left()
    {
        // Given a member of "buyers" (orders >= 1)
        var profile = Apply(UserProfile.Empty("u1"), Given.Purchase("e1", "o1", 10m), Buyers);

        // When the definition becomes orders >= 2 and a page view arrives
        var stricter = Set(2, ("buyers", 2, "orders >= 2", false), ("other", 1, "orders >= 5", false));
        profile = Apply(profile, Given.PageView("e2", 1), stricter);

        // Then the user leaves under version 2
        Assert.Equal([SegmentChangeKind.Entered, SegmentChangeKind.Exited], profile.Segments.Outbox.Select(c => c.Kind));
        Assert.Equal(2, profile.Segments.Outbox[1].Version);

        // And a segment that disappears from the set ends its memberships
        profile = Apply(profile, Given.Purchase("e3", "o2", 10m, 2), stricter);
        profile = Apply(profile, Given.PageView("e4", 3), Set(3, ("other", 1, "orders >= 5", false)));
        Assert.Equal(SegmentChangeKind.Exited, profile.Segments.Outbox[^1].Kind);
        Assert.Equal("event:e4", profile.Segments.Outbox[^1].Cause.ToString());
        Assert.Empty(profile.Segments.MemberIds());
    }

    [Fact]
    public void A_re_evaluation_without_an_event_evaluates_every_rule_and_names_the_revision()
    {
        // Given a buyer evaluated before the segment existed
        var profile = Apply(UserProfile.Empty("u1"), Given.Purchase("e1", "o1", 10m), SegmentSet.Empty);

        var evaluation = SegmentEvaluator.Evaluate(profile.Segments, Buyers, profile, SegmentCause.Evaluation(1), Given.T0.AddHours(1), null);

        Assert.Equal(1, evaluation.Evaluated);
        Assert.Equal("evaluation:1", Assert.Single(evaluation.Published).Cause.ToString());
    }

    [Fact]
    public void The_segments_module_runs_last_in_the_profile_pipeline()
    {
        Assert.Same(SegmentsModule.Instance, FeaturePipeline.Profile.Modules[^1]);
    }

    [Fact]
    public void Explain_gives_each_membership_and_recent_exit_with_its_rule_version_clause_values_and_deciding_event()
    {
        // Given a user who entered "buyers" and left "browsers"
        var set = Set(1, ("buyers", 1, "orders >= 1", false), ("browsers", 1, "window.page_views.24h >= 1", false));
        var profile = Apply(UserProfile.Empty("u1"), Given.PageView("e1"), set);
        profile = Apply(profile, Given.Purchase("e2", "o1", 10m, 3 * 1440), set);

        var explained = SegmentExplainer.Explain(profile, set, Given.T0);

        // Then members come first, each with the event that decided it and the clause values now
        Assert.Equal(["buyers", "browsers"], explained.Select(e => e.SegmentId));
        var buyers = explained[0];
        Assert.Equal((true, 1, "event:e2", "orders >= 1"), (buyers.Member, buyers.Version, buyers.Cause, buyers.Rule));
        Assert.Equal(new ClauseValue("orders >= 1", true, "1"), Assert.Single(buyers.Explanation!.Clauses));
        var browsers = explained[1];
        Assert.Equal((false, "event:e2"), (browsers.Member, browsers.Cause));
        Assert.False(browsers.Explanation!.Outcome);
    }
}
