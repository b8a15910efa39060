using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Segments;

/// <summary>
/// Compiles checked rules into closures over a <see cref="RuleContext"/>. Rules compiled by one compiler share an
/// input table: a field several rules read (the same window, trait or score) is read once per evaluation. Compile
/// every rule first (not thread-safe), then evaluate from any number of threads, one context per thread.
/// </summary>
public sealed class RuleCompiler(ProfileRules? rules = null)
{
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<string, int> _slotByKey = new(StringComparer.Ordinal);

    /// <summary>The profile rules (affinity half-life) the compiled rules read the profile with.</summary>
    public ProfileRules ProfileRules { get; } = rules ?? ProfileRules.Default;

    internal int SlotCount => _slots.Count;

    /// <summary>A context for evaluating this compiler's rules; reuse it (one per thread) through <see cref="RuleContext.Reset"/>.</summary>
    public RuleContext CreateContext() => new(this);

    public CompiledRule Compile(RuleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var fields = new List<BoundField>();
        var root = Build(definition.Tree);
        return new CompiledRule(this, definition, root, fields);

        RuleNode Build(RuleExpr expr)
        {
            switch (expr)
            {
                case AndExpr a: return RuleNode.And(Build(a.Left), Build(a.Right));
                case OrExpr o: return RuleNode.Or(Build(o.Left), Build(o.Right));
                case NotExpr n: return RuleNode.Not(Build(n.Operand));
            }

            var field = RuleDefinition.FieldOf(expr);
            var bound = definition.BindingOf(field);
            if (!fields.Contains(bound)) fields.Add(bound);
            return RuleAtom.Build(expr, SlotOf(field, bound), bound);
        }
    }

    internal SlotValue Load(int slot, RuleContext ctx) => _slots[slot].Load(ctx);

    /// <summary>How a window field reads its number from window values (null for other fields).</summary>
    internal Func<WindowValues, double>? MetricOf(int slot) => _slots[slot].Metric;

    private int SlotOf(FieldRef field, BoundField bound)
    {
        var key = RulePrinter.Print(field);
        if (_slotByKey.TryGetValue(key, out var slot)) return slot;
        var metric = Metric(bound);
        var window = bound.WindowIndex;
        _slots.Add(new Slot(metric is null ? Loader(bound) : ctx => SlotValue.Count(metric(ctx.Window(window))), metric));
        _slotByKey[key] = _slots.Count - 1;
        return _slots.Count - 1;
    }

    private static Func<WindowValues, double>? Metric(BoundField f)
    {
        var key = f.Key ?? "";
        return f.Spec.Family switch
        {
            "window.page_views" => w => w.CountOf(EventType.PageView),
            "window.product_views" => w => w.ProductViews,
            "window.searches" => w => w.Searches,
            "window.add_to_cart" => w => w.AddToCart,
            "window.purchases" => w => w.Purchases,
            "window.revenue" => w => (double)w.Revenue,
            "window.sessions" => w => w.Sessions,
            "window.distinct_items" => w => w.DistinctItemsViewed,
            "event.count" => f.CountedType is { } type ? w => w.CountOf(type) : null,
            "window.category_views" => w => w.ProductViewsByCategory.TryGetValue(key, out var n) ? n : 0,
            "window.offer_impressions" => w => w.OfferImpressions.TryGetValue(key, out var n) ? n : 0,
            "window.offer_clicks" => w => w.OfferClicks.TryGetValue(key, out var n) ? n : 0,
            _ => null,
        };
    }

    private Func<RuleContext, SlotValue> Loader(BoundField f)
    {
        var key = f.Key ?? "";
        var profileRules = ProfileRules;
        return f.Spec.Family switch
        {
            "first_seen" => ctx => Time(ctx.Profile.FirstSeen),
            "last_seen" => ctx => Time(ctx.Profile.LastSeen),
            "events_applied" => ctx => SlotValue.Count(ctx.Profile.EventsApplied),
            "orders" => ctx => SlotValue.Count(ctx.Profile.Orders),
            "revenue.total" => ctx => SlotValue.Count((double)ctx.Profile.TotalRevenue),
            "affinity.category" => ctx => SlotValue.Count(ctx.Profile.CategoryAffinity.ScoreOf(key, ctx.Now, profileRules)),
            "affinity.item" => ctx => SlotValue.Count(ctx.Profile.ItemAffinity.ScoreOf(key, ctx.Now, profileRules)),
            "trait" => ctx => ctx.Profile.Traits.TryGetValue(key, out var v) ? new SlotValue(true, true, 0, 0, v) : SlotValue.Unknown,
            "consent" => ctx => ctx.Profile.Consent is { } c && c.TryGetValue(key, out var state)
                ? new SlotValue(true, true, state.Granted ? 1 : 0)
                : new SlotValue(true, false, 0),
            "rfm.segment" => ctx => ctx.Inputs.Rfm is { } rfm ? new SlotValue(true, true, 0, 0, rfm.Segment) : SlotValue.Unknown,
            "rfm.recency" => ctx => Known(ctx.Inputs.Rfm?.Recency),
            "rfm.frequency" => ctx => Known(ctx.Inputs.Rfm?.Frequency),
            "rfm.monetary" => ctx => Known(ctx.Inputs.Rfm?.Monetary),
            "score" => ctx => Known(ctx.Inputs.Score(key)),
            "ml.cluster" => ctx => Known(ctx.Inputs.Cluster(key)),
            _ => throw new InvalidOperationException($"no reader for field family {f.Spec.Family}"),
        };

        static SlotValue Time(DateTimeOffset? t) => t is { } at ? new SlotValue(true, true, 0, at.UtcTicks) : SlotValue.Unknown;

        static SlotValue Known(double? n) => n is { } v && !double.IsNaN(v) ? new SlotValue(true, true, v) : SlotValue.Unknown;
    }

    private sealed record Slot(Func<RuleContext, SlotValue> Load, Func<WindowValues, double>? Metric);
}
