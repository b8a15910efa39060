using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>The catalogue's versioning: what each put and delete records, histories, the revision, and replay.</summary>
public class SegmentCatalogueStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private const string Buyers = "window.purchases.30d >= 2";
    private const string Fans = "affinity.category(\"shoes\") > 0.4";

    private static RuleDefinition Rule(string text) => RuleDefinition.Define(text);

    private static SegmentCatalogueState Record(SegmentCatalogueState state, PutDecision decision) =>
        decision.Recorded is { } v ? state.Apply(v) : state;

    [Fact]
    public void The_first_put_creates_version_1_and_moves_the_revision()
    {
        var decision = SegmentCatalogueState.Empty.Put("buyers_30d", Rule(Buyers), shadow: false, T0);

        Assert.Equal(PutOutcome.Created, decision.Outcome);
        Assert.Equal(new SegmentVersion("buyers_30d", 1, Buyers, false, T0), decision.Recorded);
        var state = SegmentCatalogueState.Empty.Apply(decision.Recorded!);
        Assert.Equal(1, state.Revision);
        Assert.Equal([decision.Recorded!], state.Current);
        Assert.Equal(decision.Recorded, state.Find("buyers_30d"));
    }

    [Fact]
    public void An_identical_put_records_nothing_even_written_differently()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("buyers_30d", Rule(Buyers), false, T0));

        var again = state.Put("buyers_30d", Rule("window.purchases.30d   >=\n 2"), false, T0.AddHours(1));

        Assert.Equal(PutOutcome.Unchanged, again.Outcome);
        Assert.Null(again.Recorded);
        Assert.Equal(1, again.Current.Version);
        Assert.Equal(T0, again.Current.DefinedAt);
    }

    [Fact]
    public void A_changed_rule_or_shadow_flag_makes_a_new_version_and_keeps_the_old_one_in_the_history()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("s", Rule(Buyers), false, T0));

        var shadowed = state.Put("s", Rule(Buyers), shadow: true, T0.AddMinutes(1));
        state = Record(state, shadowed);
        var changed = state.Put("s", Rule(Fans), shadow: true, T0.AddMinutes(2));
        state = Record(state, changed);

        Assert.Equal((PutOutcome.Updated, 2), (shadowed.Outcome, shadowed.Current.Version));
        Assert.Equal((PutOutcome.Updated, 3), (changed.Outcome, changed.Current.Version));
        Assert.Equal(3, state.Revision);
        Assert.Equal([(1, Buyers, false), (2, Buyers, true), (3, Fans, true)],
            state.History("s").Select(v => (v.Version, v.Rule, v.Shadow)));
        Assert.Equal("affinity.category(\"shoes\") > 0.4", state.Find("s")!.Rule);
    }

    [Fact]
    public void Rules_are_kept_in_their_canonical_text()
    {
        var decision = SegmentCatalogueState.Empty.Put("s", Rule("(orders>=3)\n  and trait.a == \"x\""), false, T0);

        Assert.Equal("orders >= 3 and trait.a == \"x\"", decision.Recorded!.Rule);
    }

    [Fact]
    public void Delete_records_a_tombstone_version_and_the_segment_leaves_the_current_set()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("a", Rule(Buyers), true, T0));
        state = Record(state, state.Put("b", Rule(Fans), false, T0));

        var tombstone = state.Delete("a", T0.AddDays(1));
        state = state.Apply(tombstone!);

        Assert.Equal(new SegmentVersion("a", 2, Buyers, true, T0.AddDays(1), Deleted: true), tombstone);
        Assert.Equal(3, state.Revision);
        Assert.Null(state.Find("a"));
        Assert.Equal(tombstone, state.Latest("a"));
        Assert.Equal(["b"], state.Current.Select(v => v.SegmentId));
        Assert.Equal(2, state.History("a").Count);
        Assert.Equal(["a", "b"], state.Histories.Select(h => h[0].SegmentId));
    }

    [Fact]
    public void Deleting_what_is_not_live_records_nothing()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("a", Rule(Buyers), false, T0));
        state = state.Apply(state.Delete("a", T0)!);

        Assert.Null(state.Delete("a", T0));
        Assert.Null(state.Delete("never", T0));
    }

    [Fact]
    public void A_put_after_a_delete_creates_the_segment_again_with_the_next_version()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("a", Rule(Buyers), false, T0));
        state = state.Apply(state.Delete("a", T0.AddHours(1))!);

        var again = state.Put("a", Rule(Buyers), false, T0.AddHours(2));
        state = Record(state, again);

        Assert.Equal((PutOutcome.Created, 3), (again.Outcome, again.Current.Version));
        Assert.False(state.Find("a")!.Deleted);
        Assert.Equal([false, true, false], state.History("a").Select(v => v.Deleted));
    }

    [Fact]
    public void Apply_refuses_a_version_that_does_not_follow_on()
    {
        var v1 = new SegmentVersion("a", 1, Buyers, false, T0);
        var state = SegmentCatalogueState.Empty.Apply(v1);

        Assert.Throws<InvalidOperationException>(() => state.Apply(v1));
        Assert.Throws<InvalidOperationException>(() => state.Apply(v1 with { Version = 3 }));
        Assert.Throws<InvalidOperationException>(() => SegmentCatalogueState.Empty.Apply(v1 with { Version = 2 }));
        Assert.Throws<InvalidOperationException>(() => SegmentCatalogueState.Empty.Apply(v1 with { Deleted = true }));
        var deleted = state.Apply(v1 with { Version = 2, Deleted = true });
        Assert.Throws<InvalidOperationException>(() => deleted.Apply(v1 with { Version = 3, Deleted = true }));
    }

    [Fact]
    public void Applying_does_not_change_the_state_it_was_applied_to()
    {
        var before = SegmentCatalogueState.Empty.Apply(new SegmentVersion("a", 1, Buyers, false, T0));

        _ = before.Apply(new SegmentVersion("a", 2, Fans, false, T0));

        Assert.Equal(1, before.Revision);
        Assert.Equal(Buyers, before.Find("a")!.Rule);
        Assert.Equal(0, SegmentCatalogueState.Empty.Revision);
        Assert.Empty(SegmentCatalogueState.Empty.Current);
    }

    [Fact]
    public void Replaying_every_recorded_version_gives_the_same_state()
    {
        var state = SegmentCatalogueState.Empty;
        var at = T0;
        foreach (var (id, rule, shadow) in new[]
                 {
                     ("b", Buyers, false), ("a", Fans, false), ("b", Fans, false), ("a", Fans, false), ("c", Buyers, true),
                     ("b", Fans, true),
                 })
        {
            state = Record(state, state.Put(id, Rule(rule), shadow, at = at.AddMinutes(1)));
        }

        state = state.Apply(state.Delete("c", at.AddMinutes(1))!);

        var replayed = SegmentCatalogueState.From(state.AllVersions());

        Assert.Equal(6, state.Revision);
        Assert.Equal(state.Revision, replayed.Revision);
        Assert.Equal(state.AllVersions(), replayed.AllVersions());
        Assert.Equal(state.Current, replayed.Current);
    }

    [Fact]
    public void The_segment_set_holds_the_live_definitions_at_the_catalogue_revision()
    {
        var state = Record(SegmentCatalogueState.Empty, SegmentCatalogueState.Empty.Put("z", Rule(Buyers), true, T0));
        state = Record(state, state.Put("a", Rule(Fans), false, T0));
        state = Record(state, state.Put("m", Rule("orders >= 1"), false, T0));
        state = state.Apply(state.Delete("m", T0)!);

        var set = state.ToSegmentSet();

        Assert.Equal(4, set.Revision);
        Assert.Equal([("a", 1, false), ("z", 1, true)], set.Segments.Select(s => (s.Id, s.Version, s.Shadow)));
        Assert.Null(set.Find("m"));
    }

    [Theory]
    [InlineData("buyers_30d")]
    [InlineData("7-day-lapsed")]
    [InlineData("a")]
    public void Valid_segment_ids_are_accepted(string id) => Assert.Null(SegmentIds.Problem(id));

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData("Buyers", "starts with a lower-case letter or a digit")]
    [InlineData("_x", "starts with a lower-case letter or a digit")]
    [InlineData("a b", "' ' is not allowed")]
    [InlineData("a/b", "'/' is not allowed")]
    [InlineData("shoes.fans", "'.' is not allowed")]
    public void Invalid_segment_ids_are_refused_with_the_reason(string id, string reason)
    {
        Assert.Contains(reason, SegmentIds.Problem(id), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SegmentCatalogueState.Empty.Put(id, Rule(Buyers), false, T0));
    }

    [Fact]
    public void A_segment_id_is_at_most_64_characters()
    {
        Assert.Null(SegmentIds.Problem(new string('a', 64)));
        Assert.Contains("at most 64", SegmentIds.Problem(new string('a', 65)), StringComparison.Ordinal);
    }
}
