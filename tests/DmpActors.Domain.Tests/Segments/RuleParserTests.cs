using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>Rule text to tree and back: the documented examples, precedence, and syntax errors with their position.</summary>
public class RuleParserTests
{
    public static TheoryData<string> Examples =>
    [
        "window.purchases.30d >= 2 and affinity.category(\"shoes\") > 0.4 and consent.marketing",
        "not exists(window.purchases.7d) and last_seen within 14d",
        "rfm.segment in [\"champions\", \"loyal\"]",
        "ml.cluster(\"behaviour\") == 3",
        "score.churn > 0.7",
        "trait.country == \"GB\"",
        "event.count(\"search\", 24h) >= 3",
        "revenue.total between 100 and 500",
        "first_seen older than 30d",
    ];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_documented_example_parses_checks_and_prints_back_as_written(string text)
    {
        var definition = RuleDefinition.Define(text);

        Assert.Equal(text, definition.Text);
        Assert.Equal(definition.Tree, RuleParser.Parse(definition.Text).Tree);
    }

    [Fact]
    public void The_first_example_is_a_left_grouped_and_of_three_predicates()
    {
        var tree = RuleParser.Parse("window.purchases.30d >= 2 and affinity.category(\"shoes\") > 0.4 and consent.marketing").Tree;

        var expected = new AndExpr(
            new AndExpr(
                new CompareExpr(new FieldRef("window.purchases.30d"), CompareOp.GreaterOrEqual, new NumberLiteral(2)),
                new CompareExpr(new FieldRef("affinity.category", [new StringLiteral("shoes")]), CompareOp.Greater, new NumberLiteral(0.4m))),
            new TruthExpr(new FieldRef("consent.marketing")));
        Assert.Equal(expected, tree);
    }

    [Theory]
    [InlineData("a or b and c", "a or b and c")]
    [InlineData("(a or b) and c", "(a or b) and c")]
    [InlineData("not a and b", "not a and b")]
    [InlineData("not (a and b)", "not (a and b)")]
    [InlineData("a and (b and c)", "a and (b and c)")]
    [InlineData("((a))", "a")]
    [InlineData("x   >=\n 2", "x >= 2")]
    [InlineData("x == 0.40", "x == 0.40")]
    [InlineData("x == -3", "x == -3")]
    [InlineData("t == \"a\\\"b\\\\c\\u0001\"", "t == \"a\\\"b\\\\c\\u0001\"")]
    [InlineData("s between 1 and 2 and c", "s between 1 and 2 and c")]
    [InlineData("e.count(\"x\", 060m) > 1", "e.count(\"x\", 60m) > 1")]
    public void Text_prints_canonically_with_parentheses_only_where_precedence_needs_them(string text, string canonical)
    {
        var printed = RulePrinter.Print(RuleParser.Parse(text).Tree);

        Assert.Equal(canonical, printed);
        Assert.Equal(printed, RulePrinter.Print(RuleParser.Parse(printed).Tree));
    }

    [Theory]
    [InlineData("", 1, 1, "expected a field")]
    [InlineData("window.purchases.30d >= ", 1, 25, "expected a value")]
    [InlineData("window.purchases.30d = 2", 1, 22, "use '=='")]
    [InlineData("a and", 1, 6, "expected a field")]
    [InlineData("a b", 1, 3, "expected 'and', 'or' or the end")]
    [InlineData("(a or b", 1, 8, "')' to close")]
    [InlineData("trait.country == \"GB", 1, 18, "string is not closed")]
    [InlineData("x in []", 1, 7, "expected a value")]
    [InlineData("x in [1, 2", 1, 11, "',' or ']'")]
    [InlineData("x between 1 or 2", 1, 13, "expected 'and' between")]
    [InlineData("last_seen within 14", 1, 18, "expected a duration")]
    [InlineData("last_seen within 14days", 1, 18, "neither a number nor a duration")]
    [InlineData("first_seen older 30d", 1, 18, "expected 'than'")]
    [InlineData("exists window.purchases.7d", 1, 8, "'(' after exists")]
    [InlineData("a and\n  b ==\n    # 3", 3, 5, "unexpected character '#'")]
    [InlineData("window.purchases. >= 2", 1, 19, "after '.'")]
    [InlineData("x == \"\\q\"", 1, 7, "unknown escape")]
    [InlineData("x ! 2", 1, 3, "'!' is not an operator")]
    [InlineData("and == 2", 1, 1, "expected a field")]
    [InlineData("f(1, 2", 1, 7, "after the arguments of f(")]
    [InlineData("x > 99999999999999999999999999999", 1, 5, "out of range")]
    public void A_syntax_error_names_its_line_column_and_what_was_expected(string text, int line, int column, string message)
    {
        var error = Assert.Throws<RuleParseException>(() => RuleParser.Parse(text));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.Errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}, column {column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_refused_instead_of_overflowing_the_stack()
    {
        var deep = new string('(', RuleParser.MaxDepth + 1) + "a" + new string(')', RuleParser.MaxDepth + 1);
        var nots = string.Concat(Enumerable.Repeat("not ", RuleParser.MaxDepth + 1)) + "a";

        Assert.Contains("deep", Assert.Throws<RuleParseException>(() => RuleParser.Parse(deep)).Message, StringComparison.Ordinal);
        Assert.Contains("deep", Assert.Throws<RuleParseException>(() => RuleParser.Parse(nots)).Message, StringComparison.Ordinal);
        Assert.Throws<RuleParseException>(() => RuleParser.Parse(string.Join(" and ", Enumerable.Repeat("a", 2000))));
    }

    [Fact]
    public void Positions_of_nodes_point_at_where_they_were_written()
    {
        var parsed = RuleParser.Parse("a and\n  trait.country == \"GB\"");
        var compare = (CompareExpr)((AndExpr)parsed.Tree).Right;

        Assert.Equal((2, 3), parsed.PositionOf(compare));
        Assert.Equal((2, 3), parsed.PositionOf(compare.Field));
        Assert.Equal((2, 20), parsed.PositionOf(compare.Value));
    }
}
