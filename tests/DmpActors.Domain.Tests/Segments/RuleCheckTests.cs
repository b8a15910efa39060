using DmpActors.Domain.Events;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>Definition-time checks against the field catalogue: every refusal says where and why.</summary>
public class RuleCheckTests
{
    [Theory]
    [InlineData("trait.country > 3", 1, 1, "trait.country is a string: > needs a number field")]
    [InlineData("trait.country == 3", 1, 18, "trait.country is a string: 3 is a number")]
    [InlineData("consent.marketing == 2", 1, 22, "consent.marketing is a boolean (true or false): 2 is a number")]
    [InlineData("window.purchases.3d >= 2", 1, 1, "unknown window '3d' in window.purchases.3d (windows: 1h, 24h, 7d, 30d)")]
    [InlineData("window.purchases >= 2", 1, 1, "window.purchases needs a window")]
    [InlineData("event.count(\"click\", 24h) >= 3", 1, 13, "unknown event type \"click\"")]
    [InlineData("event.count(\"search\", 2h) >= 3", 1, 23, "unknown window 2h in event.count")]
    [InlineData("event.count(\"search\") >= 3", 1, 1, "event.count takes two arguments")]
    [InlineData("event.count(3, 24h) >= 3", 1, 13, "must be a \"string\"")]
    [InlineData("windw.purchases.30d >= 2", 1, 1, "unknown field 'windw.purchases.30d'")]
    [InlineData("orders(\"x\") > 1", 1, 1, "orders takes no arguments")]
    [InlineData("trait == \"GB\"", 1, 1, "trait needs a name")]
    [InlineData("last_seen > 3", 1, 1, "last_seen is a time: use 'last_seen within 14d'")]
    [InlineData("orders within 14d", 1, 1, "orders is a number: 'within' needs a time field")]
    [InlineData("orders", 1, 1, "orders is a number, not a condition")]
    [InlineData("consent.marketing in [true]", 1, 1, "'in' needs a number or string field")]
    [InlineData("rfm.segment in [\"loyal\", 3]", 1, 26, "rfm.segment is a string: 3 is a number")]
    [InlineData("trait.country between 1 and 2", 1, 1, "'between' needs a number field")]
    [InlineData("revenue.total between 500 and 100", 1, 23, "the low bound 500 is above the high bound 100")]
    [InlineData("score.churn > \"high\"", 1, 15, "score.churn is a number: \"high\" is a string")]
    public void A_rule_the_catalogue_refuses_names_the_position_and_the_reason(string text, int line, int column, string message)
    {
        var error = Assert.Throws<RuleCheckException>(() => RuleDefinition.Define(text));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_wrong_clause_is_reported_in_text_order()
    {
        var error = Assert.Throws<RuleCheckException>(() =>
            RuleDefinition.Define("orders > 1 and\ntrait.country > 3 or nope == 1"));

        Assert.Equal([(2, 1), (2, 22)], error.Errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void A_tree_read_from_json_is_checked_with_positions_in_its_canonical_text()
    {
        var json = RuleJson.Write(RuleParser.Parse("orders > 1 and consent.marketing == 2").Tree);

        var error = Assert.Throws<RuleCheckException>(() => RuleDefinition.FromJson(json));

        Assert.Equal((1, 37), (error.Line, error.Column));
    }

    [Fact]
    public void Bound_fields_carry_their_window_key_and_counted_event_type()
    {
        var definition = RuleDefinition.Define("event.count(\"search\", 24h) >= 3 and trait.country == \"GB\"");
        var and = (AndExpr)definition.Tree;

        var count = definition.BindingOf(((CompareExpr)and.Left).Field);
        var trait = definition.BindingOf(((CompareExpr)and.Right).Field);

        Assert.Equal((TimeSpan.FromDays(1), "search", EventType.Search), (count.Window, count.Key, count.CountedType!.Value));
        Assert.Equal(("trait", "country"), (trait.Spec.Family, trait.Key));
    }
}
