namespace DmpActors.Traffic;

/// <summary>The event types of our ingest contract, as they appear in the <c>type</c> field.</summary>
public static class EventTypes
{
    public const string PageView = "page_view";
    public const string ProductView = "product_view";
    public const string Search = "search";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Purchase = "purchase";
    public const string Identify = "identify";
    public const string Alias = "alias";
    public const string Consent = "consent";
    public const string OfferImpression = "offer_impression";
    public const string OfferClick = "offer_click";
    public const string Custom = "custom";

    public static IReadOnlyList<string> All { get; } =
    [
        PageView, ProductView, Search, AddToCart, RemoveFromCart, Purchase,
        Identify, Alias, Consent, OfferImpression, OfferClick, Custom,
    ];
}
