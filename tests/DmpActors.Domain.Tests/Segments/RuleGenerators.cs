using DmpActors.Domain.Segments;
using FsCheck;
using FsCheck.Fluent;

namespace DmpActors.Domain.Tests.Segments;

internal static class GenExtensions
{
    public static Gen<T[]> OneToThree<T>(this Gen<T> gen) => Gen.Choose(1, 3).SelectMany(n => gen.ArrayOf(n));
}

/// <summary>Random rule trees: any well-formed tree for the text and JSON round trips, and trees the catalogue
/// accepts (over a few keys so that rules and profiles meet) for evaluation.</summary>
internal static class RuleGenerators
{
    private static readonly string[] Names = ["orders", "trait.country", "window.purchases.30d", "a", "_x9", "score.in", "b.7d.c", "event.count"];

    private static readonly char[] Chars = ['a', 'Z', ' ', '"', '\\', '\n', '\t', '\r', '\u0001', '\u007f', 'é', '€', '\u2028', '[', ','];

    public static Gen<decimal> Decimals =>
        from lo in Gen.Choose(0, int.MaxValue)
        from mid in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(0, int.MaxValue)))
        from negative in Gen.Elements(true, false)
        from scale in Gen.Choose(0, 12)
        select new decimal(lo, mid, 0, negative, (byte)scale);

    public static Gen<Duration> Durations =>
        from amount in Gen.Choose(0, 20_000)
        from unit in Gen.Elements(DurationUnit.Minutes, DurationUnit.Hours, DurationUnit.Days)
        select new Duration(unit == DurationUnit.Days ? amount % 10_001 : amount, unit);

    private static Gen<Literal> AnyLiteral => Gen.OneOf(
        Gen.Elements(Chars).ArrayOf().Select(cs => (Literal)new StringLiteral(new string(cs))),
        Decimals.Select(d => (Literal)new NumberLiteral(d)),
        Gen.Elements(true, false).Select(b => (Literal)new BoolLiteral(b)),
        Durations.Select(d => (Literal)new DurationLiteral(d)));

    private static Gen<FieldRef> AnyField =>
        from name in Gen.Elements(Names)
        from args in Gen.Frequency((2, Gen.Constant(Array.Empty<Literal>())), (1, AnyLiteral.OneToThree()))
        select new FieldRef(name, args);

    private static Gen<RuleExpr> AnyPredicate => Gen.OneOf(
        from f in AnyField from op in Gen.Elements(Enum.GetValues<CompareOp>()) from v in AnyLiteral select (RuleExpr)new CompareExpr(f, op, v),
        from f in AnyField from vs in AnyLiteral.OneToThree() select (RuleExpr)new InExpr(f, vs),
        from f in AnyField from lo in AnyLiteral from hi in AnyLiteral select (RuleExpr)new BetweenExpr(f, lo, hi),
        AnyField.Select(f => (RuleExpr)new ExistsExpr(f)),
        from f in AnyField from within in Gen.Elements(true, false) from d in Durations select (RuleExpr)new AgeExpr(f, within, d),
        AnyField.Select(f => (RuleExpr)new TruthExpr(f)));

    /// <summary>Any tree, checked or not: the printer and parser do not need the catalogue.</summary>
    public static Gen<RuleExpr> AnyTree => Gen.Sized(size => Tree(Math.Min(size / 20, 4), AnyPredicate));

    public static Gen<RuleExpr> Tree(int depth, Gen<RuleExpr> leaf) => depth == 0
        ? leaf
        : Gen.Frequency(
            (3, leaf),
            (2, from l in Tree(depth - 1, leaf) from r in Tree(depth - 1, leaf) select (RuleExpr)new AndExpr(l, r)),
            (2, from l in Tree(depth - 1, leaf) from r in Tree(depth - 1, leaf) select (RuleExpr)new OrExpr(l, r)),
            (1, Tree(depth - 1, leaf).Select(e => (RuleExpr)new NotExpr(e))));

    // Keys shared with ProfileGenerators, so that rules find values in the profiles.
    public static readonly string[] Categories = ["shoes", "bags", "hats"];
    public static readonly string[] Campaigns = ["spring", "summer"];
    public static readonly string[] Countries = ["GB", "FR", "DE"];
    public static readonly string[] Segments = ["champions", "loyal", "at_risk"];
    private static readonly string[] Windows = ["1h", "24h", "7d", "30d"];
    private static readonly string[] CountedTypes = ["page_view", "product_view", "search", "purchase", "offer_click", "identify"];

    private static Gen<Literal> Number(int max) =>
        Gen.Frequency((3, Gen.Choose(0, max)), (1, Gen.Choose(-1, 1))).Select(n => (Literal)new NumberLiteral(n));

    private static Gen<Literal> Fraction => Gen.Choose(0, 400).Select(n => (Literal)new NumberLiteral(n / 100m));

    private static Gen<Literal> Str(string[] pool) => Gen.Elements(pool.Append("xx").ToArray()).Select(s => (Literal)new StringLiteral(s));

    private static Gen<RuleExpr> NumberPredicate(Gen<FieldRef> field, Gen<Literal> value) => Gen.OneOf(
        from f in field from op in Gen.Elements(Enum.GetValues<CompareOp>()) from v in value select (RuleExpr)new CompareExpr(f, op, v),
        from f in field from vs in value.OneToThree() select (RuleExpr)new InExpr(f, vs.Take(3).ToArray()),
        from f in field from a in value from b in value
        let lo = ((NumberLiteral)a).Value let hi = ((NumberLiteral)b).Value
        select (RuleExpr)new BetweenExpr(f, new NumberLiteral(Math.Min(lo, hi)), new NumberLiteral(Math.Max(lo, hi))),
        field.Select(f => (RuleExpr)new ExistsExpr(f)));

    private static Gen<RuleExpr> StringPredicate(Gen<FieldRef> field, string[] pool) => Gen.OneOf(
        from f in field from op in Gen.Elements(CompareOp.Equal, CompareOp.NotEqual) from v in Str(pool) select (RuleExpr)new CompareExpr(f, op, v),
        from f in field from vs in Str(pool).OneToThree() select (RuleExpr)new InExpr(f, vs.Take(3).ToArray()),
        field.Select(f => (RuleExpr)new ExistsExpr(f)));

    private static Gen<FieldRef> Named(string family, params string[] keys) => Gen.Elements(keys).Select(k => new FieldRef(family + "." + k));

    private static Gen<FieldRef> Call(string family, string[] keys, bool windowed) =>
        from k in Gen.Elements(keys)
        from w in Gen.Elements(Windows)
        select new FieldRef(family, windowed ? [new StringLiteral(k), new DurationLiteral(Parse(w))] : [new StringLiteral(k)]);

    private static Duration Parse(string text) => Duration.TryParse(text, out var d) ? d : throw new ArgumentException(text);

    private static Gen<FieldRef> Windowed(params string[] families) =>
        from f in Gen.Elements(families) from w in Gen.Elements(Windows) select new FieldRef(f + "." + w);

    /// <summary>A predicate the catalogue accepts, over every field family.</summary>
    public static Gen<RuleExpr> CheckedPredicate => Gen.OneOf(
        NumberPredicate(Windowed("window.page_views", "window.product_views", "window.searches", "window.add_to_cart", "window.purchases",
            "window.sessions", "window.distinct_items"), Number(6)),
        NumberPredicate(Windowed("window.revenue"), Number(120)),
        NumberPredicate(Gen.OneOf(Call("event.count", CountedTypes, true), Call("window.category_views", Categories, true),
            Call("window.offer_impressions", Campaigns, true), Call("window.offer_clicks", Campaigns, true)), Number(4)),
        NumberPredicate(Gen.Elements(new FieldRef("events_applied"), new FieldRef("orders")), Number(30)),
        NumberPredicate(Gen.Constant(new FieldRef("revenue.total")), Number(300)),
        NumberPredicate(Gen.OneOf(Call("affinity.category", Categories, false), Call("affinity.item", ["item-1", "item-2"], false)), Fraction),
        NumberPredicate(Gen.OneOf(Named("score", "churn", "ltv"), Gen.Elements(new FieldRef("rfm.recency"), new FieldRef("rfm.monetary"))), Fraction),
        NumberPredicate(Call("ml.cluster", ["behaviour", "value"], false), Number(3)),
        StringPredicate(Named("trait", "country", "plan"), Countries),
        StringPredicate(Gen.Constant(new FieldRef("rfm.segment")), Segments),
        from f in Named("consent", "marketing", "analytics", "ads")
        from kind in Gen.Choose(0, 2)
        from b in Gen.Elements(true, false)
        from op in Gen.Elements(CompareOp.Equal, CompareOp.NotEqual)
        select kind switch
        {
            0 => (RuleExpr)new TruthExpr(f),
            1 => new CompareExpr(f, op, new BoolLiteral(b)),
            _ => new ExistsExpr(f),
        },
        from f in Gen.Elements(new FieldRef("first_seen"), new FieldRef("last_seen"))
        from within in Gen.Elements(true, false)
        from amount in Gen.Choose(1, 40)
        from unit in Gen.Elements(DurationUnit.Minutes, DurationUnit.Hours, DurationUnit.Days)
        select (RuleExpr)new AgeExpr(f, within, new Duration(amount, unit)));

    public static Gen<RuleExpr> CheckedTree => Tree(3, CheckedPredicate);
}
