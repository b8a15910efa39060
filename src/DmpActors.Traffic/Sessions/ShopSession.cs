using DmpActors.Traffic.Catalogue;
using DmpActors.Traffic.Population;

namespace DmpActors.Traffic.Sessions;

internal readonly record struct CartLine(Product Product, int Quantity);

internal readonly record struct Offer(string CampaignId, string VariantId, Product Product);

internal enum FollowUpKind
{
    Consent,
    Alias,
    AddToCart,
    OfferClick,
}

/// <summary>Something a session has decided to do next, e.g. the add_to_cart that follows a product view.</summary>
internal readonly record struct FollowUp(FollowUpKind Kind, CartLine Line = default, Offer Offer = default);

/// <summary>One visit: a landing page view, some browsing steps, and maybe a purchase of the cart at the end.</summary>
internal sealed class ShopSession(string sessionId, SimulatedUser user, int browsingSteps)
{
    public string SessionId { get; } = sessionId;
    public SimulatedUser User { get; } = user;
    public int RemainingSteps { get; set; } = browsingSteps;
    public bool Started { get; set; }
    public bool CheckoutDecided { get; set; }
    public List<CartLine> Cart { get; } = [];
    public Queue<FollowUp> FollowUps { get; } = new();
}
