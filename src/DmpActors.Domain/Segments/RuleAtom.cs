using System.Globalization;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Segments;

/// <summary>A predicate of a compiled rule: the test on its field's value and what its next change in time is.</summary>
internal sealed class RuleAtom : RuleNode
{
    private RuleAtom(string clause, int slot, BoundField field, Func<RuleContext, bool> test)
    {
        Clause = clause;
        FieldName = RulePrinter.Print(field.Ref);
        Slot = slot;
        Field = field;
        Test = test;
    }

    public string Clause { get; }

    /// <summary>The canonical name of the field read, e.g. <c>affinity.category("shoes")</c>.</summary>
    public string FieldName { get; }

    public int Slot { get; }

    public BoundField Field { get; }

    public Func<RuleContext, bool> Test { get; }

    /// <summary>For number fields: the test as a function of the value (unknown values never reach it).</summary>
    private Func<double, bool>? OfNumber { get; init; }

    /// <summary>Values at which <see cref="OfNumber"/> can change its answer.</summary>
    private double[] Thresholds { get; init; } = [];

    /// <summary>The answer flips at most once as the value falls (ordering comparisons and exists).</summary>
    private bool Monotone { get; init; }

    private long AgeTicks { get; init; }

    public static RuleAtom Build(RuleExpr expr, int slot, BoundField field)
    {
        var clause = RulePrinter.Print(expr);
        switch (expr)
        {
            case CompareExpr { Value: NumberLiteral n } c:
                var k = (double)n.Value;
                Func<double, bool> of = c.Op switch
                {
                    CompareOp.Equal => v => v == k,
                    CompareOp.NotEqual => v => v != k,
                    CompareOp.Less => v => v < k,
                    CompareOp.LessOrEqual => v => v <= k,
                    CompareOp.Greater => v => v > k,
                    _ => v => v >= k,
                };
                Func<RuleContext, bool> test = c.Op switch
                {
                    CompareOp.Greater => ctx => ctx.Read(slot) is { Known: true } s && s.Number > k,
                    CompareOp.GreaterOrEqual => ctx => ctx.Read(slot) is { Known: true } s && s.Number >= k,
                    CompareOp.Equal => ctx => ctx.Read(slot) is { Known: true } s && s.Number == k,
                    _ => ctx => ctx.Read(slot) is { Known: true } s && of(s.Number),
                };
                return new RuleAtom(clause, slot, field, test)
                {
                    OfNumber = of, Thresholds = [k], Monotone = c.Op is not (CompareOp.Equal or CompareOp.NotEqual),
                };
            case CompareExpr { Value: StringLiteral text } c:
                var equal = c.Op == CompareOp.Equal;
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && (s.Text == text.Value) == equal);
            case CompareExpr { Value: BoolLiteral b } c:
                var wanted = (b.Value ? 1 : 0) == (c.Op == CompareOp.Equal ? 1 : 0);
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && (s.Number != 0) == wanted);
            case InExpr { Values: [StringLiteral, ..] } i:
                var texts = i.Values.Select(v => ((StringLiteral)v).Value).ToArray();
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && Array.IndexOf(texts, s.Text) >= 0);
            case InExpr i:
                var numbers = i.Values.Select(v => (double)((NumberLiteral)v).Value).ToArray();
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && Array.IndexOf(numbers, s.Number) >= 0)
                {
                    OfNumber = v => Array.IndexOf(numbers, v) >= 0, Thresholds = numbers,
                };
            case BetweenExpr b:
                var (low, high) = ((double)((NumberLiteral)b.Low).Value, (double)((NumberLiteral)b.High).Value);
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && s.Number >= low && s.Number <= high)
                {
                    OfNumber = v => v >= low && v <= high, Thresholds = [low, high],
                };
            case ExistsExpr:
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot).Exists)
                {
                    OfNumber = field.Spec.Type == RuleType.Number ? v => v > 0 : null, Thresholds = [0], Monotone = true,
                };
            case AgeExpr a:
                var span = a.Age.Span.Ticks;
                Func<RuleContext, bool> age = a.Within
                    ? ctx => ctx.Read(slot) is { Known: true } s && ctx.Now.UtcTicks - s.Ticks < span
                    : ctx => ctx.Read(slot) is { Known: true } s && ctx.Now.UtcTicks - s.Ticks >= span;
                return new RuleAtom(clause, slot, field, age) { AgeTicks = span };
            case TruthExpr:
                return new RuleAtom(clause, slot, field, ctx => ctx.Read(slot) is { Known: true } s && s.Number != 0);
            default:
                throw new ArgumentException($"{expr.GetType().Name} is not a predicate", nameof(expr));
        }
    }

    public override Func<RuleContext, bool> ToClosure() => Test;

    public override (bool Value, List<ClauseValue> Deciding) Explain(RuleContext ctx, List<ClauseValue> all)
    {
        var clause = new ClauseValue(Clause, Test(ctx), Observed(ctx.Read(Slot)));
        all.Add(clause);
        return (clause.Value, [clause]);
    }

    public override void CollectAtoms(List<RuleAtom> atoms) => atoms.Add(this);

    /// <summary>The first instant after now at which this clause's value can change with no new event, or null.</summary>
    public DateTimeOffset? NextChange(RuleContext ctx) => Field.Spec.Source switch
    {
        FieldSource.Windows => WindowChange(ctx),
        FieldSource.Affinity when Thresholds.Length > 0 && OfNumber is not null => DecayChange(ctx),
        FieldSource.Lifetime when AgeTicks > 0 => AgeChange(ctx),
        _ => null,
    };

    /// <summary>Window values only fall as time passes (buckets leave the window, none arrive without events), so the
    /// first minute at which the answer (monotone tests) or the value (others) differs is found by bisection.</summary>
    private DateTimeOffset? WindowChange(RuleContext ctx)
    {
        if (ctx.Profile.Windows.Watermark is not { } watermark || OfNumber is null) return null;
        var nowMinute = BucketGrid.MinuteOf(ctx.Now);
        // Before the watermark (events stamped ahead of the clock) a window can still gain buckets: look again next minute.
        if (nowMinute < BucketGrid.MinuteOf(watermark)) return RuleContext.MinuteStart(nowMinute + 1);
        var metric = ctx.Compiler.MetricOf(Slot)!;
        var v0 = ctx.Read(Slot).Number;
        var answer = OfNumber(v0);
        var window = Field.WindowIndex;
        bool Changed(long d)
        {
            var v = metric(ctx.WindowAt(window, nowMinute + d));
            return Monotone ? OfNumber(v) != answer : v != v0;
        }

        // A window's length after now every bucket has left it; a distinct-items sketch counts its whole day, so look
        // one day further before saying time alone changes nothing.
        long lo = 1, hi = (long)Field.Window.TotalMinutes + BucketGrid.MinutesPerDay;
        if (!Changed(hi)) return null;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (Changed(mid)) hi = mid;
            else lo = mid + 1;
        }

        return RuleContext.MinuteStart(nowMinute + lo);
    }

    /// <summary>A score s decays as s·2^(−Δt/half-life), so it reaches a threshold k &lt; s after half-life·log2(s/k);
    /// a millisecond is taken off so floating-point rounding cannot put the answer after the real crossing.</summary>
    private DateTimeOffset? DecayChange(RuleContext ctx)
    {
        var score = ctx.Read(Slot).Number;
        if (score <= 0) return null;
        var halfLife = (double)ctx.Compiler.ProfileRules.AffinityHalfLife.Ticks;
        var now = ctx.Now.UtcTicks;
        long? best = null;
        foreach (var k in Thresholds)
        {
            if (k <= 0 || k > score) continue;
            var ticks = halfLife * Math.Log2(score / k) - TimeSpan.TicksPerMillisecond;
            if (ticks >= DateTimeOffset.MaxValue.UtcTicks - now) continue;
            var at = now + Math.Max(1, (long)ticks);
            best = best is { } b ? Math.Min(b, at) : at;
        }

        return best is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
    }

    private DateTimeOffset? AgeChange(RuleContext ctx)
    {
        var s = ctx.Read(Slot);
        if (!s.Known || s.Ticks > DateTimeOffset.MaxValue.UtcTicks - AgeTicks) return null;
        var flip = s.Ticks + AgeTicks;
        return flip > ctx.Now.UtcTicks ? new DateTimeOffset(flip, TimeSpan.Zero) : null;
    }

    private string Observed(SlotValue s)
    {
        if (Field.Spec.Type == RuleType.Bool) return s.Exists ? (s.Number != 0 ? "true" : "false") : "false (never asked)";
        if (!s.Known) return "unknown";
        return Field.Spec.Type switch
        {
            RuleType.Time => new DateTimeOffset(s.Ticks, TimeSpan.Zero).ToString("o", CultureInfo.InvariantCulture),
            RuleType.String => RulePrinter.Print(new StringLiteral(s.Text ?? "")),
            _ => s.Number.ToString("G", CultureInfo.InvariantCulture),
        };
    }
}
