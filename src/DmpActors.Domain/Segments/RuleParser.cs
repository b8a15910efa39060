namespace DmpActors.Domain.Segments;

/// <summary>A rule's tree with the text it was parsed from and where each node was written.</summary>
public sealed class ParsedRule
{
    private readonly Dictionary<object, int> _offsets;

    internal ParsedRule(string text, RuleExpr tree, Dictionary<object, int> offsets)
    {
        Text = text;
        Tree = tree;
        _offsets = offsets;
    }

    public string Text { get; }

    public RuleExpr Tree { get; }

    /// <summary>Line and column where a node of <see cref="Tree"/> (a condition, field or value) starts.</summary>
    public (int Line, int Column) PositionOf(object node) =>
        _offsets.TryGetValue(node, out var offset) ? RuleLexer.LineAndColumn(Text, offset) : (1, 1);
}

/// <summary>
/// Rule text to tree. Precedence, loosest first: <c>or</c>, <c>and</c>, <c>not</c>; both binary operators group to
/// the left. The grammar is in docs/segments.md.
/// </summary>
public static class RuleParser
{
    /// <summary>Parentheses and <c>not</c> nest at most this deep, so a hostile rule cannot exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Longest rule text accepted (a few hundred clauses), which also bounds the depth of and/or chains.</summary>
    public const int MaxLength = 8192;

    private static readonly HashSet<string> Keywords =
        ["and", "or", "not", "in", "between", "within", "older", "than", "exists", "true", "false"];

    /// <summary>Words that cannot start a field name (after a dot they can: <c>trait.in</c>).</summary>
    public static bool IsKeyword(string word) => Keywords.Contains(word);

    /// <exception cref="RuleParseException">The first syntax error, with its line and column.</exception>
    public static ParsedRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength) throw RuleLexer.Error(text, MaxLength, $"the rule is longer than {MaxLength} characters");
        var state = new State(text, RuleLexer.Tokenize(text));
        var tree = state.Or(0);
        if (state.Peek.Kind != TokenKind.End)
            throw state.Error(state.Peek, $"expected 'and', 'or' or the end of the rule, found {Describe(state.Peek)}");
        return new ParsedRule(text, tree, state.Offsets);
    }

    private static string Describe(Token t) => t.Kind == TokenKind.End ? "the end of the rule" : $"'{t.Text}'";

    private sealed class State(string text, List<Token> tokens)
    {
        private int _next;

        public readonly Dictionary<object, int> Offsets = new(ReferenceEqualityComparer.Instance);

        public Token Peek => tokens[_next];

        public RuleExpr Or(int depth) => Chain("or", () => And(depth), (l, r) => new OrExpr(l, r));

        private RuleExpr And(int depth) => Chain("and", () => Unary(depth), (l, r) => new AndExpr(l, r));

        /// <summary>operand { word operand }, grouped to the left.</summary>
        private RuleExpr Chain(string word, Func<RuleExpr> operand, Func<RuleExpr, RuleExpr, RuleExpr> join)
        {
            var left = operand();
            while (IsWord(word))
            {
                var at = Take();
                left = At(join(left, operand()), at);
            }

            return left;
        }

        private RuleExpr Unary(int depth)
        {
            if (depth >= MaxDepth) throw Error(Peek, $"the rule nests 'not' and parentheses more than {MaxDepth} deep");
            if (IsWord("not"))
            {
                var at = Take();
                return At(new NotExpr(Unary(depth + 1)), at);
            }

            if (Peek.Kind == TokenKind.LParen)
            {
                Take();
                var inner = Or(depth + 1);
                Expect(TokenKind.RParen, "')' to close the '('");
                return inner;
            }

            if (IsWord("exists"))
            {
                var at = Take();
                Expect(TokenKind.LParen, "'(' after exists");
                var field = Field();
                Expect(TokenKind.RParen, "')' to close exists(");
                return At(new ExistsExpr(field), at);
            }

            return Predicate();
        }

        private RuleExpr Predicate()
        {
            var field = Field();
            var at = Offsets[field];
            if (Peek.Kind == TokenKind.Op)
            {
                var op = (CompareOp)Take().Value!;
                return At(new CompareExpr(field, op, Literal()), at);
            }

            if (IsWord("in"))
            {
                Take();
                Expect(TokenKind.LBracket, "'[' to start the list after in");
                var values = new List<Literal> { Literal() };
                while (Peek.Kind == TokenKind.Comma)
                {
                    Take();
                    values.Add(Literal());
                }

                Expect(TokenKind.RBracket, "',' or ']' in the list");
                return At(new InExpr(field, values), at);
            }

            if (IsWord("between"))
            {
                Take();
                var low = Literal();
                if (!IsWord("and")) throw Error(Peek, $"expected 'and' between the bounds of between, found {Describe(Peek)}");
                Take();
                return At(new BetweenExpr(field, low, Literal()), at);
            }

            if (IsWord("within"))
            {
                Take();
                return At(new AgeExpr(field, true, DurationValue("within")), at);
            }

            if (IsWord("older"))
            {
                Take();
                if (!IsWord("than")) throw Error(Peek, $"expected 'than' after older, found {Describe(Peek)}");
                Take();
                return At(new AgeExpr(field, false, DurationValue("older than")), at);
            }

            return At(new TruthExpr(field), at);
        }

        private FieldRef Field()
        {
            var first = Peek;
            if (first.Kind != TokenKind.Ident || Keywords.Contains(first.Text))
                throw Error(first, $"expected a field (such as window.purchases.30d or trait.country), found {Describe(first)}");
            Take();
            var name = first.Text;
            while (Peek.Kind == TokenKind.Dot)
            {
                Take();
                if (Peek.Kind is not (TokenKind.Ident or TokenKind.Duration))
                    throw Error(Peek, $"expected a name or a window (1h, 24h, 7d, 30d) after '.', found {Describe(Peek)}");
                name += "." + Take().Text;
            }

            var args = new List<Literal>();
            if (Peek.Kind == TokenKind.LParen)
            {
                Take();
                args.Add(Literal());
                while (Peek.Kind == TokenKind.Comma)
                {
                    Take();
                    args.Add(Literal());
                }

                Expect(TokenKind.RParen, $"',' or ')' after the arguments of {name}(");
            }

            return At(new FieldRef(name, args), first);
        }

        private Literal Literal()
        {
            var t = Peek;
            Literal? value = t.Kind switch
            {
                TokenKind.String => new StringLiteral((string)t.Value!),
                TokenKind.Number => new NumberLiteral((decimal)t.Value!),
                TokenKind.Duration => new DurationLiteral((Duration)t.Value!),
                TokenKind.Ident when t.Text is "true" or "false" => new BoolLiteral(t.Text == "true"),
                _ => null,
            };
            if (value is null) throw Error(t, $"expected a value (a number, a \"string\", true, false or a duration such as 7d), found {Describe(t)}");
            Take();
            return At(value, t);
        }

        private Duration DurationValue(string after)
        {
            if (Peek.Kind != TokenKind.Duration) throw Error(Peek, $"expected a duration (such as 14d, 24h or 90m) after {after}, found {Describe(Peek)}");
            var literal = (Duration)Peek.Value!;
            Take();
            return literal;
        }

        private bool IsWord(string word) => Peek.Kind == TokenKind.Ident && Peek.Text == word;

        private Token Take() => tokens[_next++];

        private void Expect(TokenKind kind, string what)
        {
            if (Peek.Kind != kind) throw Error(Peek, $"expected {what}, found {Describe(Peek)}");
            Take();
        }

        private T At<T>(T node, Token token) where T : notnull => At(node, token.Offset);

        private T At<T>(T node, int offset) where T : notnull
        {
            Offsets[node] = offset;
            return node;
        }

        public RuleParseException Error(Token at, string message) => RuleLexer.Error(text, at.Offset, message);
    }
}
