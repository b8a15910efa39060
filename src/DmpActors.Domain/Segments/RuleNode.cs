namespace DmpActors.Domain.Segments;

/// <summary>One clause of a rule and its value in an evaluation.</summary>
/// <param name="Clause">The clause's canonical text, e.g. <c>window.purchases.30d &gt;= 2</c>.</param>
/// <param name="Observed">The field's value as read: a number, a quoted string, true/false, a UTC time or "unknown".</param>
public sealed record ClauseValue(string Clause, bool Value, string Observed);

/// <summary>Why a rule came out as it did.</summary>
/// <param name="Deciding">The clauses that decided the outcome: for <c>a and b</c> that is true both, else the first
/// false one; for <c>or</c> the converse; <c>not</c> passes its operand's through.</param>
/// <param name="Clauses">Every clause of the rule with its value, in text order.</param>
public sealed record RuleExplanation(bool Outcome, IReadOnlyList<ClauseValue> Deciding, IReadOnlyList<ClauseValue> Clauses);

/// <summary>The compiled form of a rule's tree: closures for evaluation, the tree itself for explanations and for
/// finding when time alone changes the outcome.</summary>
internal abstract class RuleNode
{
    public static RuleNode And(RuleNode left, RuleNode right) => new Branch(Kind.And, left, right);

    public static RuleNode Or(RuleNode left, RuleNode right) => new Branch(Kind.Or, left, right);

    public static RuleNode Not(RuleNode operand) => new Branch(Kind.Not, operand, null);

    public abstract Func<RuleContext, bool> ToClosure();

    public abstract (bool Value, List<ClauseValue> Deciding) Explain(RuleContext ctx, List<ClauseValue> all);

    public abstract void CollectAtoms(List<RuleAtom> atoms);

    private enum Kind { And, Or, Not }

    private sealed class Branch(Kind kind, RuleNode left, RuleNode? right) : RuleNode
    {
        public override Func<RuleContext, bool> ToClosure()
        {
            var l = left.ToClosure();
            if (kind == Kind.Not) return ctx => !l(ctx);
            var r = right!.ToClosure();
            return kind == Kind.And ? ctx => l(ctx) && r(ctx) : ctx => l(ctx) || r(ctx);
        }

        public override (bool Value, List<ClauseValue> Deciding) Explain(RuleContext ctx, List<ClauseValue> all)
        {
            var (lv, ld) = left.Explain(ctx, all);
            if (kind == Kind.Not) return (!lv, ld);
            var (rv, rd) = right!.Explain(ctx, all);
            // The side that alone forces the outcome decides it; when both agree on the non-forcing value, both do.
            var forcing = kind == Kind.Or;
            if (lv == forcing) return (forcing, ld);
            if (rv == forcing) return (forcing, rd);
            return (!forcing, [.. ld, .. rd]);
        }

        public override void CollectAtoms(List<RuleAtom> atoms)
        {
            left.CollectAtoms(atoms);
            right?.CollectAtoms(atoms);
        }
    }
}
