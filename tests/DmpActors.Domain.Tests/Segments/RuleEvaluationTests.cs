using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>Evaluation semantics, explanations, inputs read and next-change times at their boundaries (fixed clock).</summary>
public class RuleEvaluationTests
{
    private static readonly RuleInputs Scored = new(new RfmScores(5, 4, 5, "champions"),
        new Dictionary<string, double> { ["churn"] = 0.8 }, new Dictionary<string, int> { ["behaviour"] = 3 });

    private static UserProfile Fold(params UserEvent[] events) =>
        events.Aggregate(UserProfile.Empty("u1"), (p, e) => ProfileReducer.Apply(p, e, null).Profile);

    private static CompiledRule Rule(string text) => new RuleCompiler().Compile(RuleDefinition.Define(text));

    private static UserProfile Shopper() => Fold(
        Purchase("p1", "o1", 120m, minute: 0),
        Purchase("p2", "o2", 30m, minute: 60),
        ProductView("v1", "sku-1", minute: 90),
        Identify("i1", 100, ("country", "GB")),
        Consent("c1", 110, ("marketing", true)));

    [Fact]
    public void The_first_example_holds_for_a_consenting_shoe_buyer_and_its_explanation_names_every_clause()
    {
        var rule = Rule("window.purchases.30d >= 2 and affinity.category(\"shoes\") > 0.4 and consent.marketing");
        var now = T0.AddMinutes(120);

        var explanation = rule.Explain(Shopper(), now);

        Assert.True(rule.Evaluate(Shopper(), now));
        Assert.True(explanation.Outcome);
        Assert.Equal(["window.purchases.30d >= 2", "affinity.category(\"shoes\") > 0.4", "consent.marketing"], explanation.Deciding.Select(c => c.Clause));
        Assert.Equal(["2", "true"], [explanation.Clauses[0].Observed, explanation.Clauses[2].Observed]);
    }

    [Fact]
    public void A_false_and_is_decided_by_its_first_false_clause()
    {
        var explanation = Rule("trait.country == \"FR\" and orders >= 1").Explain(Shopper(), T0.AddMinutes(120));

        Assert.False(explanation.Outcome);
        Assert.Equal([new ClauseValue("trait.country == \"FR\"", false, "\"GB\"")], explanation.Deciding);
    }

    [Theory]
    [InlineData("score.churn > 0.7", true, false)]
    [InlineData("score.churn != 0.5", true, false)]
    [InlineData("not score.churn == 0.5", true, true)]
    [InlineData("exists(score.churn)", true, false)]
    [InlineData("ml.cluster(\"behaviour\") == 3", true, false)]
    [InlineData("rfm.segment in [\"champions\", \"loyal\"]", true, false)]
    [InlineData("rfm.recency >= 5", true, false)]
    [InlineData("trait.plan != \"pro\"", false, false)]
    [InlineData("exists(trait.country)", true, true)]
    [InlineData("consent.ads == false", true, true)]
    [InlineData("exists(consent.ads)", false, false)]
    [InlineData("exists(affinity.category(\"hats\"))", false, false)]
    [InlineData("affinity.category(\"hats\") == 0", true, true)]
    public void Unknown_inputs_make_every_comparison_false_and_exists_false(string text, bool withInputs, bool withoutInputs)
    {
        var rule = Rule(text);
        var now = T0.AddMinutes(120);

        Assert.Equal(withInputs, rule.Evaluate(Shopper(), now, Scored));
        Assert.Equal(withoutInputs, rule.Evaluate(Shopper(), now));
    }

    [Fact]
    public void A_rule_lists_the_fields_it_reads_and_the_events_that_can_change_them()
    {
        var rule = Rule("event.count(\"search\", 24h) >= 3 or trait.country == \"GB\" and score.churn > 0.7 or trait.country == \"FR\"");

        Assert.Equal(["event.count(\"search\", 24h)", "score.churn", "trait.country"], rule.Fields.Order(StringComparer.Ordinal));
        Assert.Equal([EventType.Search, EventType.Identify], EventTypes.All.Where(rule.ChangedBy));
        Assert.True(rule.ReadsExternalInputs);
        Assert.True(rule.DependsOnClock);
        Assert.False(Rule("trait.country == \"GB\"").DependsOnClock);
        Assert.All(EventTypes.All, t => Assert.True(Rule("window.sessions.7d > 0").ChangedBy(t)));
    }

    [Fact]
    public void Rules_of_one_compiler_share_a_context_and_read_each_input_once()
    {
        var compiler = new RuleCompiler();
        var a = compiler.Compile(RuleDefinition.Define("window.purchases.30d >= 2"));
        var b = compiler.Compile(RuleDefinition.Define("window.purchases.30d < 5 and orders == 2"));
        var context = compiler.CreateContext().Reset(Shopper(), T0.AddMinutes(120));

        Assert.True(a.Evaluate(context) && b.Evaluate(context));
        Assert.Throws<ArgumentException>(() => Rule("orders == 2").Evaluate(context));
    }

    [Fact]
    public void Last_seen_within_flips_exactly_when_the_duration_has_passed()
    {
        var profile = Fold(PageView("e1", minute: 0));
        var rule = Rule("last_seen within 14d");
        var flip = T0.AddDays(14);

        Assert.Equal(flip, rule.NextChange(profile, T0.AddDays(3)));
        Assert.True(rule.Evaluate(profile, flip.AddTicks(-1)));
        Assert.False(rule.Evaluate(profile, flip));
        Assert.Null(rule.NextChange(profile, flip));
        Assert.Equal(flip, Rule("last_seen older than 14d").NextChange(profile, T0));
        Assert.Null(Rule("last_seen within 14d").NextChange(UserProfile.Empty("u1"), T0));
    }

    [Fact]
    public void A_window_count_changes_when_the_minute_holding_its_oldest_event_leaves_the_window()
    {
        // Two purchases 10 minutes apart; the 1h window holds both until the first one's minute leaves it.
        var profile = Fold(Purchase("p1", "o1", 10m, minute: 0), Purchase("p2", "o2", 10m, minute: 10));
        var rule = Rule("window.purchases.1h >= 2");
        var now = T0.AddMinutes(10).AddSeconds(30);

        var next = rule.NextChange(profile, now);

        Assert.Equal(T0.AddMinutes(60), next);
        Assert.True(rule.Evaluate(profile, next!.Value.AddTicks(-1)));
        Assert.False(rule.Evaluate(profile, next.Value));
        Assert.Equal(T0.AddMinutes(70), Rule("window.purchases.1h >= 1").NextChange(profile, now));
        Assert.Null(Rule("window.purchases.1h >= 3").NextChange(profile, now));
        Assert.Equal(T0.AddMinutes(60), Rule("window.purchases.1h == 2").NextChange(profile, now));
    }

    [Fact]
    public void Distinct_items_kept_in_a_day_sketch_still_report_when_they_leave_the_window()
    {
        // 70 items: beyond the 64 kept exactly, the oldest move into the day's sketch, which counts its whole day.
        var profile = Fold(Enumerable.Range(0, 70).Select(i => ProductView($"v{i}", $"sku-{i}", minute: i)).ToArray());
        var rule = Rule("window.distinct_items.1h >= 1");
        var now = T0.AddMinutes(70);

        var next = rule.NextChange(profile, now);

        Assert.True(rule.Evaluate(profile, now));
        Assert.False(rule.Evaluate(profile, now.AddDays(1)));
        Assert.NotNull(next);
        Assert.True(rule.Evaluate(profile, next!.Value.AddTicks(-1)));
    }

    [Fact]
    public void An_affinity_threshold_is_crossed_after_half_life_times_log2_of_score_over_threshold_never_later()
    {
        var profile = Fold(ProductView("v1", "sku-1", minute: 0)); // shoes: 1 at T0, halving every 7 days
        var rule = Rule("affinity.category(\"shoes\") > 0.25");
        var crossing = T0.AddDays(14);

        var next = rule.NextChange(profile, T0)!.Value;

        Assert.InRange(next, crossing.AddMilliseconds(-2), crossing);
        Assert.True(rule.Evaluate(profile, next.AddTicks(-1)));
        Assert.False(rule.Evaluate(profile, crossing.AddMilliseconds(1)));
        Assert.Null(Rule("affinity.category(\"shoes\") > 2").NextChange(profile, T0));
        Assert.Null(Rule("exists(affinity.category(\"shoes\"))").NextChange(profile, T0));
    }

    [Fact]
    public void The_next_change_of_a_rule_is_its_earliest_clause_change_and_null_without_time_conditions()
    {
        var profile = Fold(PageView("e1", minute: 0));

        Assert.Equal(T0.AddDays(2), Rule("last_seen within 14d and first_seen older than 2d").NextChange(profile, T0.AddHours(1)));
        Assert.Null(Rule("orders == 0 and trait.country != \"GB\"").NextChange(profile, T0));
    }
}
