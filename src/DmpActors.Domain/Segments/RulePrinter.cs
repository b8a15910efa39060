using System.Globalization;
using System.Text;

namespace DmpActors.Domain.Segments;

/// <summary>
/// Tree to canonical text: single spaces, lower-case keywords, parentheses only where precedence needs them. Parsing
/// the result gives the same tree, and printing that gives the same text.
/// </summary>
public static class RulePrinter
{
    private const int OrLevel = 0, AndLevel = 1, UnaryLevel = 2;

    public static string Print(RuleExpr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var sb = new StringBuilder();
        Write(sb, expr, OrLevel);
        return sb.ToString();
    }

    public static string Print(FieldRef field)
    {
        var sb = new StringBuilder();
        Write(sb, field);
        return sb.ToString();
    }

    public static string Print(Literal literal)
    {
        var sb = new StringBuilder();
        Write(sb, literal);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, RuleExpr expr, int level)
    {
        switch (expr)
        {
            case OrExpr or:
                Binary(sb, or.Left, "or", or.Right, OrLevel, level);
                break;
            case AndExpr and:
                Binary(sb, and.Left, "and", and.Right, AndLevel, level);
                break;
            case NotExpr not:
                sb.Append("not ");
                Write(sb, not.Operand, UnaryLevel);
                break;
            case CompareExpr c:
                Write(sb, c.Field);
                sb.Append(' ').Append(CompareOps.ToText(c.Op)).Append(' ');
                Write(sb, c.Value);
                break;
            case InExpr i:
                Write(sb, i.Field);
                sb.Append(" in [");
                for (var k = 0; k < i.Values.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    Write(sb, i.Values[k]);
                }

                sb.Append(']');
                break;
            case BetweenExpr b:
                Write(sb, b.Field);
                sb.Append(" between ");
                Write(sb, b.Low);
                sb.Append(" and ");
                Write(sb, b.High);
                break;
            case ExistsExpr e:
                sb.Append("exists(");
                Write(sb, e.Field);
                sb.Append(')');
                break;
            case AgeExpr a:
                Write(sb, a.Field);
                sb.Append(a.Within ? " within " : " older than ").Append(a.Age);
                break;
            case TruthExpr t:
                Write(sb, t.Field);
                break;
            default:
                throw new ArgumentException($"unknown rule node {expr.GetType().Name}", nameof(expr));
        }
    }

    /// <summary>Left operands of the same operator need no parentheses (left grouping); right ones do.</summary>
    private static void Binary(StringBuilder sb, RuleExpr left, string op, RuleExpr right, int own, int context)
    {
        var parens = own < context;
        if (parens) sb.Append('(');
        Write(sb, left, own);
        sb.Append(' ').Append(op).Append(' ');
        Write(sb, right, own + 1);
        if (parens) sb.Append(')');
    }

    private static void Write(StringBuilder sb, FieldRef field)
    {
        sb.Append(field.Name);
        if (field.Args.Count == 0) return;
        sb.Append('(');
        for (var k = 0; k < field.Args.Count; k++)
        {
            if (k > 0) sb.Append(", ");
            Write(sb, field.Args[k]);
        }

        sb.Append(')');
    }

    private static void Write(StringBuilder sb, Literal literal)
    {
        switch (literal)
        {
            case StringLiteral s:
                Quote(sb, s.Value);
                break;
            case NumberLiteral n:
                sb.Append(n.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case BoolLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case DurationLiteral d:
                sb.Append(d.Value);
                break;
            default:
                throw new ArgumentException($"unknown literal {literal.GetType().Name}", nameof(literal));
        }
    }

    private static void Quote(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\u007f' or '\u2028' or '\u2029': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }
}
