using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Segments;

/// <summary>What a field holds: numbers compare with all six operators, strings and booleans with == and !=, and
/// times only with <c>within</c> and <c>older than</c>.</summary>
public enum RuleType { Number, String, Bool, Time }

/// <summary>How a field is written after its family name.</summary>
public enum FieldShape
{
    /// <summary><c>orders</c></summary>
    Plain,

    /// <summary><c>window.purchases.30d</c>: one of the standard windows as the last segment.</summary>
    Window,

    /// <summary><c>trait.country</c>: any name as the last segment.</summary>
    Named,

    /// <summary><c>affinity.category("shoes")</c></summary>
    Keyed,

    /// <summary><c>event.count("search", 24h)</c>: a key and a standard window.</summary>
    KeyedWindow,
}

/// <summary>Where a field's value comes from.</summary>
public enum FieldSource
{
    /// <summary>Lifetime counters and first/last seen, changed by events.</summary>
    Lifetime,

    /// <summary>Behaviour windows: changed by events and by time passing (buckets leave the window).</summary>
    Windows,

    /// <summary>Affinity scores: changed by events and decaying with time.</summary>
    Affinity,

    Traits,
    Consent,

    /// <summary>Supplied by <see cref="IRuleInputs"/> (RFM, model scores, clusters), not by the profile.</summary>
    External,
}

/// <summary>One family of fields in the catalogue.</summary>
/// <param name="Family">The name before any window, name or arguments (<c>window.purchases</c>).</param>
/// <param name="ChangedBy">Event types whose arrival can change the value; null: every event type; empty: no
/// event (external inputs). For <c>event.count</c> the counted type is added when bound.</param>
public sealed record FieldSpec(string Family, FieldShape Shape, RuleType Type, FieldSource Source, string KeyName,
    IReadOnlyList<EventType>? ChangedBy, string Doc, string Example)
{
    /// <summary>How the field is written, e.g. <c>event.count("&lt;event type&gt;", &lt;window&gt;)</c>.</summary>
    public string Syntax => Shape switch
    {
        FieldShape.Plain => Family,
        FieldShape.Window => Family + ".<window>",
        FieldShape.Named => $"{Family}.<{KeyName}>",
        FieldShape.Keyed => $"{Family}(\"<{KeyName}>\")",
        _ => $"{Family}(\"<{KeyName}>\", <window>)",
    };
}

/// <summary>A field reference resolved against the catalogue: its family, window and key.</summary>
public sealed partial record BoundField(FieldSpec Spec, int WindowIndex, string? Key, EventType? CountedType)
{
    /// <summary>The reference as written (canonical), e.g. <c>window.purchases.30d</c>.</summary>
    public FieldRef Ref { get; init; } = new(Spec.Family);

    public TimeSpan Window => WindowIndex < 0 ? TimeSpan.Zero : WindowSpans.Standard[WindowIndex].Span;

    public bool ChangedBy(EventType type) =>
        Spec.ChangedBy is null || Spec.ChangedBy.Contains(type) || CountedType == type;
}

/// <summary>Every field a rule may name, with its type and meaning; docs/segments.md lists the same (a test holds them
/// together).</summary>
public sealed class FieldCatalogue
{
    private static readonly EventType[] Purchase = [EventType.Purchase];

    public static FieldCatalogue Default { get; } = new(
    [
        new("first_seen", FieldShape.Plain, RuleType.Time, FieldSource.Lifetime, "", null,
            "Earliest event time applied to the profile. Exists once any event was applied.", "first_seen older than 30d"),
        new("last_seen", FieldShape.Plain, RuleType.Time, FieldSource.Lifetime, "", null,
            "Latest event time applied (event time, not arrival time).", "last_seen within 14d"),
        new("events_applied", FieldShape.Plain, RuleType.Number, FieldSource.Lifetime, "", null,
            "Events applied in the profile's lifetime (duplicates and replays excluded).", "events_applied >= 10"),
        new("orders", FieldShape.Plain, RuleType.Number, FieldSource.Lifetime, "", Purchase,
            "Purchases with an order id in the profile's lifetime.", "orders >= 3"),
        new("revenue.total", FieldShape.Plain, RuleType.Number, FieldSource.Lifetime, "", Purchase,
            "Lifetime purchase revenue (money units, any currency as sent).", "revenue.total between 100 and 500"),
        new("window.page_views", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", [EventType.PageView],
            "page_view events in the window.", "window.page_views.24h > 20"),
        new("window.product_views", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", [EventType.ProductView],
            "product_view events in the window.", "window.product_views.7d >= 5"),
        new("window.searches", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", [EventType.Search],
            "search events in the window.", "window.searches.1h >= 3"),
        new("window.add_to_cart", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", [EventType.AddToCart],
            "add_to_cart events in the window.", "window.add_to_cart.24h > 0"),
        new("window.purchases", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", Purchase,
            "purchase events in the window.", "window.purchases.30d >= 2"),
        new("window.revenue", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", Purchase,
            "Purchase revenue in the window, to the cent.", "window.revenue.30d > 250"),
        new("window.sessions", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", null,
            "Sessions started in the window (a gap of more than the session gap, 30 minutes by default, starts one).", "window.sessions.7d >= 3"),
        new("window.distinct_items", FieldShape.Window, RuleType.Number, FieldSource.Windows, "", [EventType.ProductView],
            "Distinct items viewed in the window; beyond 64 items a user's older items are estimated (about ±18%).", "window.distinct_items.7d >= 10"),
        new("event.count", FieldShape.KeyedWindow, RuleType.Number, FieldSource.Windows, "event type", [],
            "Events of one type (its wire name, e.g. \"search\", \"offer_click\") in the window.", "event.count(\"search\", 24h) >= 3"),
        new("window.category_views", FieldShape.KeyedWindow, RuleType.Number, FieldSource.Windows, "category", [EventType.ProductView],
            "product_view events of one category in the window; a user's 32nd and later categories count under \"(other)\".", "window.category_views(\"shoes\", 7d) >= 2"),
        new("window.offer_impressions", FieldShape.KeyedWindow, RuleType.Number, FieldSource.Windows, "campaign", [EventType.OfferImpression],
            "offer_impression events of one campaign in the window (32nd and later campaigns under \"(other)\").", "window.offer_impressions(\"spring\", 24h) >= 5"),
        new("window.offer_clicks", FieldShape.KeyedWindow, RuleType.Number, FieldSource.Windows, "campaign", [EventType.OfferClick],
            "offer_click events of one campaign in the window.", "window.offer_clicks(\"spring\", 7d) == 0"),
        new("affinity.category", FieldShape.Keyed, RuleType.Number, FieldSource.Affinity, "category",
            [EventType.ProductView, EventType.AddToCart, EventType.Purchase],
            "Decayed interest in a category at the evaluation time (view 1, cart 3, purchase 5, halving every 7 days by default); 0 when not kept. Exists when kept.",
            "affinity.category(\"shoes\") > 0.4"),
        new("affinity.item", FieldShape.Keyed, RuleType.Number, FieldSource.Affinity, "item id",
            [EventType.ProductView, EventType.AddToCart, EventType.Purchase],
            "Decayed interest in one item, as affinity.category.", "affinity.item(\"sku-123\") >= 3"),
        new("trait", FieldShape.Named, RuleType.String, FieldSource.Traits, "name", [EventType.Identify],
            "An identify trait (personal-data traits hold their salted hash). Unknown when never set.", "trait.country == \"GB\""),
        new("consent", FieldShape.Named, RuleType.Bool, FieldSource.Consent, "purpose", [EventType.Consent],
            "Whether the latest decision for the purpose is a grant; false when never asked. Exists once decided either way.", "consent.marketing"),
        new("rfm.segment", FieldShape.Plain, RuleType.String, FieldSource.External, "", [],
            "Named RFM segment from the RFM model (e.g. \"champions\", \"loyal\"); unknown until scored.", "rfm.segment in [\"champions\", \"loyal\"]"),
        new("rfm.recency", FieldShape.Plain, RuleType.Number, FieldSource.External, "", [],
            "RFM recency score (1–5, 5 = most recent); unknown until scored.", "rfm.recency >= 4"),
        new("rfm.frequency", FieldShape.Plain, RuleType.Number, FieldSource.External, "", [],
            "RFM frequency score (1–5); unknown until scored.", "rfm.frequency >= 4"),
        new("rfm.monetary", FieldShape.Plain, RuleType.Number, FieldSource.External, "", [],
            "RFM monetary score (1–5); unknown until scored.", "rfm.monetary == 5"),
        new("score", FieldShape.Named, RuleType.Number, FieldSource.External, "model", [],
            "A model's score for the user (e.g. churn probability); unknown when the model has not scored the user.", "score.churn > 0.7"),
        new("ml.cluster", FieldShape.Keyed, RuleType.Number, FieldSource.External, "model", [],
            "The cluster a clustering model put the user in; unknown when not assigned.", "ml.cluster(\"behaviour\") == 3"),
    ]);

    private FieldCatalogue(IReadOnlyList<FieldSpec> fields) => Fields = fields;

    public IReadOnlyList<FieldSpec> Fields { get; }

    /// <summary>The window names a rule may use, as the profile views name them.</summary>
    public static IReadOnlyList<string> WindowNames { get; } = WindowSpans.Standard.Select(w => w.Name).ToArray();

    /// <summary>Resolves a field reference, or says what is wrong and which node (the field or one argument) is wrong.</summary>
    public BoundField Resolve(FieldRef field, out (object Node, string Message)? error)
    {
        error = null;
        var name = field.Name;
        var dot = name.LastIndexOf('.');
        var (head, last) = dot < 0 ? ("", name) : (name[..dot], name[(dot + 1)..]);
        foreach (var spec in Fields)
        {
            var bound = spec.Shape switch
            {
                FieldShape.Plain or FieldShape.Keyed or FieldShape.KeyedWindow when name == spec.Family => BindCall(spec, field, out error),
                FieldShape.Window when head == spec.Family || name == spec.Family => BindWindow(spec, field, name == spec.Family ? "" : last, out error),
                FieldShape.Named when head == spec.Family => NoArgs(spec, field, out error) ? new BoundField(spec, -1, last, null) : null,
                FieldShape.Named when name == spec.Family => Fail(field, $"{name} needs a {spec.KeyName}: {spec.Syntax}, e.g. {spec.Example}", out error),
                _ => null,
            };
            if (error is not null) return null!;
            if (bound is not null) return bound with { Ref = field };
        }

        error = (field, $"unknown field '{RulePrinter.Print(field)}' (the fields are listed in docs/segments.md)");
        return null!;
    }

    private static BoundField? BindWindow(FieldSpec spec, FieldRef field, string window, out (object, string)? error)
    {
        if (!NoArgs(spec, field, out error)) return null;
        var index = IndexOfWindow(window);
        return index >= 0 ? new BoundField(spec, index, null, null)
            : Fail(field, window.Length == 0 || !Duration.TryParse(window, out _)
                ? $"{spec.Family} needs a window: {spec.Family}.30d (windows: {string.Join(", ", WindowNames)})"
                : $"unknown window '{window}' in {field.Name} (windows: {string.Join(", ", WindowNames)})", out error);
    }

    private static BoundField? BindCall(FieldSpec spec, FieldRef field, out (object, string)? error)
    {
        error = null;
        if (spec.Shape == FieldShape.Plain) return NoArgs(spec, field, out error) ? new BoundField(spec, -1, null, null) : null;
        var arity = spec.Shape == FieldShape.Keyed ? 1 : 2;
        if (field.Args.Count != arity) return Fail(field, $"{spec.Family} takes {(arity == 1 ? "one argument" : "two arguments")}: {spec.Syntax}", out error);
        if (field.Args[0] is not StringLiteral key) return Fail(field.Args[0], $"the {spec.KeyName} of {spec.Family} must be a \"string\"", out error);
        EventType? counted = null;
        if (spec.Family == "event.count")
        {
            if (!EventTypes.TryParse(key.Value, out var type))
                return Fail(key, $"unknown event type \"{key.Value}\" (event types: {string.Join(", ", EventTypes.All.Select(EventTypes.ToWire))})", out error);
            counted = type;
        }

        if (arity == 1) return new BoundField(spec, -1, key.Value, counted);
        var index = field.Args[1] is DurationLiteral d ? IndexOfWindow(d.Value.ToString()) : -1;
        return index >= 0 ? new BoundField(spec, index, key.Value, counted)
            : Fail(field.Args[1], $"unknown window {RulePrinter.Print(field.Args[1])} in {spec.Family} (windows: {string.Join(", ", WindowNames)})", out error);
    }

    private static bool NoArgs(FieldSpec spec, FieldRef field, out (object, string)? error)
    {
        error = null;
        if (field.Args.Count == 0) return true;
        Fail(field, $"{spec.Syntax} takes no arguments", out error);
        return false;
    }

    private static BoundField? Fail(object node, string message, out (object, string)? error)
    {
        error = (node, message);
        return null;
    }

    private static int IndexOfWindow(string name)
    {
        for (var i = 0; i < WindowSpans.Standard.Count; i++)
        {
            if (WindowSpans.Standard[i].Name == name) return i;
        }

        return -1;
    }
}
