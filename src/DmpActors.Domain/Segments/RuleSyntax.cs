using System.Globalization;

namespace DmpActors.Domain.Segments;

/// <summary>A node of a segment rule: a condition that is true or false for one profile at one instant.</summary>
/// <remarks>Nodes compare by content (not by where they were written), so a rule parsed from its canonical text or
/// read from its JSON equals the tree it came from. Where a node was written is kept by <see cref="ParsedRule"/>.</remarks>
public abstract record RuleExpr;

public sealed record AndExpr(RuleExpr Left, RuleExpr Right) : RuleExpr;

public sealed record OrExpr(RuleExpr Left, RuleExpr Right) : RuleExpr;

public sealed record NotExpr(RuleExpr Operand) : RuleExpr;

public enum CompareOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary><c>field op value</c>, e.g. <c>score.churn &gt; 0.7</c>.</summary>
public sealed record CompareExpr(FieldRef Field, CompareOp Op, Literal Value) : RuleExpr;

/// <summary><c>field in [v1, v2, ...]</c>.</summary>
public sealed record InExpr(FieldRef Field, IReadOnlyList<Literal> Values) : RuleExpr
{
    public bool Equals(InExpr? other) => other is not null && Field.Equals(other.Field) && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Field, Values.Count);
}

/// <summary><c>field between low and high</c>, both bounds included.</summary>
public sealed record BetweenExpr(FieldRef Field, Literal Low, Literal High) : RuleExpr;

/// <summary><c>exists(field)</c>: the field has a value (see docs/segments.md for what that means per field).</summary>
public sealed record ExistsExpr(FieldRef Field) : RuleExpr;

/// <summary><c>field within 14d</c> (<see cref="Within"/>) or <c>field older than 30d</c>: a time field against the
/// evaluation clock. Within is <c>now &lt; field + duration</c>, older than its complement.</summary>
public sealed record AgeExpr(FieldRef Field, bool Within, Duration Age) : RuleExpr;

/// <summary>A boolean field used as a condition, e.g. <c>consent.marketing</c>.</summary>
public sealed record TruthExpr(FieldRef Field) : RuleExpr;

/// <summary>A field as written: its dotted name (<c>window.purchases.30d</c>, <c>trait.country</c>) and the
/// arguments of a call form (<c>affinity.category("shoes")</c>); no arguments means no parentheses.</summary>
public sealed record FieldRef(string Name, IReadOnlyList<Literal> Args)
{
    public FieldRef(string name) : this(name, []) { }

    public bool Equals(FieldRef? other) => other is not null && Name == other.Name && Args.SequenceEqual(other.Args);

    public override int GetHashCode() => HashCode.Combine(Name, Args.Count);

    /// <summary>The canonical text, which also names the input in <see cref="CompiledRule.Fields"/>.</summary>
    public override string ToString() => RulePrinter.Print(this);
}

public abstract record Literal;

public sealed record StringLiteral(string Value) : Literal;

/// <summary>A number. Decimal, so <c>0.40</c> prints back as written; it equals <c>0.4</c>.</summary>
public sealed record NumberLiteral(decimal Value) : Literal;

public sealed record BoolLiteral(bool Value) : Literal;

public sealed record DurationLiteral(Duration Value) : Literal;

public enum DurationUnit { Minutes, Hours, Days }

/// <summary>A length of time as written (<c>90m</c>, <c>24h</c>, <c>7d</c>): the unit is kept so text round-trips.</summary>
public readonly record struct Duration(long Amount, DurationUnit Unit)
{
    /// <summary>The longest duration a rule may name (about 27 years), so every instant it reaches is representable.</summary>
    public const long MaxDays = 10_000;

    public TimeSpan Span => Unit switch
    {
        DurationUnit.Minutes => TimeSpan.FromMinutes(Amount),
        DurationUnit.Hours => TimeSpan.FromHours(Amount),
        _ => TimeSpan.FromDays(Amount),
    };

    public override string ToString() => Amount.ToString(CultureInfo.InvariantCulture) + Unit switch
    {
        DurationUnit.Minutes => "m",
        DurationUnit.Hours => "h",
        _ => "d",
    };

    public static bool TryParse(string text, out Duration duration)
    {
        duration = default;
        if (text.Length < 2) return false;
        DurationUnit? unit = text[^1] switch { 'm' => DurationUnit.Minutes, 'h' => DurationUnit.Hours, 'd' => DurationUnit.Days, _ => null };
        if (unit is null || !text[..^1].All(char.IsAsciiDigit)
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            return false;
        var max = unit switch { DurationUnit.Minutes => MaxDays * 1440, DurationUnit.Hours => MaxDays * 24, _ => MaxDays };
        if (amount > max) return false;
        duration = new Duration(amount, unit.Value);
        return true;
    }
}

public static class CompareOps
{
    public static string ToText(CompareOp op) => op switch
    {
        CompareOp.Equal => "==",
        CompareOp.NotEqual => "!=",
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };

    public static bool TryParse(string text, out CompareOp op)
    {
        CompareOp? found = text switch
        {
            "==" => CompareOp.Equal,
            "!=" => CompareOp.NotEqual,
            "<" => CompareOp.Less,
            "<=" => CompareOp.LessOrEqual,
            ">" => CompareOp.Greater,
            ">=" => CompareOp.GreaterOrEqual,
            _ => null,
        };
        op = found.GetValueOrDefault();
        return found is not null;
    }
}
