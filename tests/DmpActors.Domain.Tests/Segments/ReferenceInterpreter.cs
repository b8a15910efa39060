using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>
/// The rule semantics of docs/segments.md written as plainly as possible: walks the tree, reads each field straight
/// from the profile on every use (no input sharing, no closures) and compares money in decimal.
/// </summary>
internal static class ReferenceInterpreter
{
    private readonly record struct Value(bool Known, bool Exists, object? V);

    public static bool Eval(RuleExpr e, Scenario s) => e switch
    {
        AndExpr a => Eval(a.Left, s) & Eval(a.Right, s),
        OrExpr o => Eval(o.Left, s) | Eval(o.Right, s),
        NotExpr n => !Eval(n.Operand, s),
        ExistsExpr x => Read(x.Field, s).Exists,
        TruthExpr t => Read(t.Field, s) is { Known: true, V: true },
        CompareExpr c => Read(c.Field, s) is { Known: true } v && Compare(v.V!, c.Value) is { } order && c.Op switch
        {
            CompareOp.Equal => order == 0,
            CompareOp.NotEqual => order != 0,
            CompareOp.Less => order < 0,
            CompareOp.LessOrEqual => order <= 0,
            CompareOp.Greater => order > 0,
            _ => order >= 0,
        },
        InExpr i => Read(i.Field, s) is { Known: true } v && i.Values.Any(x => Compare(v.V!, x) == 0),
        BetweenExpr b => Read(b.Field, s) is { Known: true } v && Compare(v.V!, b.Low) >= 0 && Compare(v.V!, b.High) <= 0,
        AgeExpr a => Read(a.Field, s) is { Known: true, V: DateTimeOffset at } && (s.Now - at < a.Age.Span) == a.Within,
        _ => throw new ArgumentException(e.ToString()),
    };

    private static int? Compare(object value, Literal literal) => (value, literal) switch
    {
        (decimal d, NumberLiteral n) => d.CompareTo(n.Value),
        (double d, NumberLiteral n) => d.CompareTo((double)n.Value),
        (string t, StringLiteral l) => string.Equals(t, l.Value, StringComparison.Ordinal) ? 0 : 1,
        (bool b, BoolLiteral l) => b == l.Value ? 0 : 1,
        _ => throw new ArgumentException($"{value} vs {literal}"),
    };

    private static Value Count(decimal n) => new(true, n > 0, n);

    private static Value Maybe(object? v) => new(v is not null, v is not null, v);

    private static Value Read(FieldRef f, Scenario s)
    {
        var p = s.Profile;
        var parts = f.Name.Split('.');
        var key = f.Args.Count > 0 ? ((StringLiteral)f.Args[0]).Value : parts[^1];
        var window = f.Args.Count > 1 ? ((DurationLiteral)f.Args[1]).Value.Span : Span(parts[^1]);
        switch (f.Name)
        {
            case "first_seen": return Maybe(p.FirstSeen);
            case "last_seen": return Maybe(p.LastSeen);
            case "events_applied": return Count(p.EventsApplied);
            case "orders": return Count(p.Orders);
            case "revenue.total": return Count(p.TotalRevenue);
            case "rfm.segment": return Maybe(s.Inputs.Rfm?.Segment);
            case "rfm.recency": return Maybe((double?)s.Inputs.Rfm?.Recency);
            case "rfm.frequency": return Maybe((double?)s.Inputs.Rfm?.Frequency);
            case "rfm.monetary": return Maybe((double?)s.Inputs.Rfm?.Monetary);
            case "ml.cluster": return Maybe((double?)s.Inputs.Cluster(key));
            case "affinity.category" or "affinity.item":
                var scores = f.Name == "affinity.category" ? p.CategoryAffinity : p.ItemAffinity;
                var kept = scores.Top(int.MaxValue, s.Now, ProfileRules.Default).Any(a => a.Key == key);
                return new Value(true, kept, scores.ScoreOf(key, s.Now, ProfileRules.Default));
            case "event.count":
                return Count(p.Windows.ValuesFor(window, s.Now).CountOf(EventTypes.TryParse(key, out var type) ? type : throw new ArgumentException(key)));
            case "window.category_views" or "window.offer_impressions" or "window.offer_clicks":
                var values = p.Windows.ValuesFor(window, s.Now);
                var named = f.Name switch
                {
                    "window.category_views" => values.ProductViewsByCategory,
                    "window.offer_impressions" => values.OfferImpressions,
                    _ => values.OfferClicks,
                };
                return Count(named.GetValueOrDefault(key));
        }

        switch (parts[0])
        {
            case "trait": return Maybe(p.Traits.GetValueOrDefault(key));
            case "consent":
                var decided = p.Consent is not null && p.Consent.ContainsKey(key);
                return new Value(true, decided, decided && p.Consent![key].Granted);
            case "score": return Maybe(s.Inputs.Score(key));
            case "window":
                var w = p.Windows.ValuesFor(window, s.Now);
                return Count(parts[1] switch
                {
                    "page_views" => w.CountOf(EventType.PageView),
                    "product_views" => w.CountOf(EventType.ProductView),
                    "searches" => w.CountOf(EventType.Search),
                    "add_to_cart" => w.CountOf(EventType.AddToCart),
                    "purchases" => w.CountOf(EventType.Purchase),
                    "revenue" => w.Revenue,
                    "sessions" => w.Sessions,
                    "distinct_items" => w.DistinctItemsViewed,
                    _ => throw new ArgumentException(f.Name),
                });
        }

        throw new ArgumentException(f.Name);
    }

    private static TimeSpan Span(string name) => name switch
    {
        "1h" => TimeSpan.FromHours(1),
        "24h" => TimeSpan.FromHours(24),
        "7d" => TimeSpan.FromDays(7),
        "30d" => TimeSpan.FromDays(30),
        _ => TimeSpan.Zero,
    };
}
