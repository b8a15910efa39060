namespace DmpActors.Domain.Segments;

/// <summary>
/// A rule that parsed and type-checked against a <see cref="FieldCatalogue"/>: every field is known, every window and
/// event type exists, and every comparison has a value of the field's type. What <see cref="RuleCompiler"/> takes.
/// </summary>
public sealed class RuleDefinition
{
    private readonly Dictionary<FieldRef, BoundField> _bindings;

    private RuleDefinition(ParsedRule parsed, Dictionary<FieldRef, BoundField> bindings)
    {
        Parsed = parsed;
        _bindings = bindings;
        Text = RulePrinter.Print(parsed.Tree);
    }

    public ParsedRule Parsed { get; }

    public RuleExpr Tree => Parsed.Tree;

    /// <summary>The canonical text (what <see cref="RulePrinter"/> prints); defining it again gives an equal tree.</summary>
    public string Text { get; }

    public string ToJson() => RuleJson.Write(Tree);

    /// <exception cref="RuleParseException">Not a rule (syntax), with line and column.</exception>
    /// <exception cref="RuleCheckException">Unknown fields or wrong types, every one with its line and column.</exception>
    public static RuleDefinition Define(string text, FieldCatalogue? catalogue = null) =>
        Check(RuleParser.Parse(text), catalogue ?? FieldCatalogue.Default);

    /// <summary>Defines a tree (e.g. read from JSON): errors point into its canonical text.</summary>
    public static RuleDefinition FromTree(RuleExpr tree, FieldCatalogue? catalogue = null) => Define(RulePrinter.Print(tree), catalogue);

    /// <exception cref="FormatException">Not a rule tree, or (as <see cref="RuleException"/>) not a valid rule.</exception>
    public static RuleDefinition FromJson(string json, FieldCatalogue? catalogue = null) => FromTree(RuleJson.Read(json), catalogue);

    /// <summary>How a field written in this rule resolved.</summary>
    public BoundField BindingOf(FieldRef field) => _bindings[field];

    private static RuleDefinition Check(ParsedRule parsed, FieldCatalogue catalogue)
    {
        var errors = new List<(object Node, string Message)>();
        var bindings = new Dictionary<FieldRef, BoundField>(ReferenceEqualityComparer.Instance);
        Visit(parsed.Tree);
        if (errors.Count > 0)
        {
            throw new RuleCheckException(errors
                .Select(e => (Position: parsed.PositionOf(e.Node), e.Message))
                .OrderBy(e => e.Position.Line).ThenBy(e => e.Position.Column)
                .Select(e => new RuleError(e.Position.Line, e.Position.Column, e.Message))
                .ToArray());
        }

        return new RuleDefinition(parsed, bindings);

        void Visit(RuleExpr expr)
        {
            switch (expr)
            {
                case AndExpr a:
                    Visit(a.Left);
                    Visit(a.Right);
                    return;
                case OrExpr o:
                    Visit(o.Left);
                    Visit(o.Right);
                    return;
                case NotExpr n:
                    Visit(n.Operand);
                    return;
            }

            var field = FieldOf(expr);
            var bound = catalogue.Resolve(field, out var error);
            if (error is { } e)
            {
                errors.Add(e);
                return;
            }

            bindings[field] = bound;
            CheckTypes(expr, bound, errors);
        }
    }

    internal static FieldRef FieldOf(RuleExpr predicate) => predicate switch
    {
        CompareExpr c => c.Field,
        InExpr i => i.Field,
        BetweenExpr b => b.Field,
        ExistsExpr e => e.Field,
        AgeExpr a => a.Field,
        TruthExpr t => t.Field,
        _ => throw new ArgumentException($"{predicate.GetType().Name} is not a predicate", nameof(predicate)),
    };

    private static void CheckTypes(RuleExpr expr, BoundField bound, List<(object, string)> errors)
    {
        var type = bound.Spec.Type;
        var name = RulePrinter.Print(FieldOf(expr));
        var kind = Describe(type);
        switch (expr)
        {
            case CompareExpr c when type == RuleType.Time:
                errors.Add((expr, $"{name} is a time: use '{name} within 14d' or '{name} older than 30d', not {CompareOps.ToText(c.Op)}"));
                break;
            case CompareExpr c when type != RuleType.Number && c.Op is not (CompareOp.Equal or CompareOp.NotEqual):
                errors.Add((expr, $"{name} is {kind}: {CompareOps.ToText(c.Op)} needs a number field; compare {kind} with == or !="));
                break;
            case CompareExpr c:
                Value(c.Value);
                break;
            case InExpr i when type is RuleType.Number or RuleType.String:
                foreach (var v in i.Values) Value(v);
                break;
            case InExpr:
                errors.Add((expr, $"{name} is {kind}: 'in' needs a number or string field"));
                break;
            case BetweenExpr when type != RuleType.Number:
                errors.Add((expr, $"{name} is {kind}: 'between' needs a number field"));
                break;
            case BetweenExpr b:
                Value(b.Low);
                Value(b.High);
                if (b is { Low: NumberLiteral low, High: NumberLiteral high } && low.Value > high.Value)
                    errors.Add((b.Low, $"the low bound {low.Value} is above the high bound {high.Value}"));
                break;
            case AgeExpr a when type != RuleType.Time:
                errors.Add((expr, $"{name} is {kind}: '{(a.Within ? "within" : "older than")}' needs a time field (first_seen, last_seen)"));
                break;
            case TruthExpr when type != RuleType.Bool:
                errors.Add((expr, $"{name} is {kind}, not a condition: compare it, e.g. {bound.Spec.Example}"));
                break;
        }

        void Value(Literal literal)
        {
            var ok = (type, literal) switch
            {
                (RuleType.Number, NumberLiteral) or (RuleType.String, StringLiteral) or (RuleType.Bool, BoolLiteral) => true,
                _ => false,
            };
            if (!ok) errors.Add((literal, $"{name} is {kind}: {RulePrinter.Print(literal)} is {DescribeLiteral(literal)}"));
        }
    }

    private static string Describe(RuleType type) => type switch
    {
        RuleType.Number => "a number",
        RuleType.String => "a string",
        RuleType.Bool => "a boolean (true or false)",
        _ => "a time",
    };

    private static string DescribeLiteral(Literal literal) => literal switch
    {
        NumberLiteral => "a number",
        StringLiteral => "a string",
        BoolLiteral => "a boolean",
        _ => "a duration",
    };
}
