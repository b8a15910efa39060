using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Profiles.Value;

/// <summary>The RFM and CLV inputs of purchases: total revenue, order count and the latest purchase.</summary>
public sealed class PurchasesModule : IFeatureModule
{
    public static readonly PurchasesModule Instance = new();

    private PurchasesModule() { }

    public string Name => "purchases";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        if (e is not { Type: EventType.Purchase, OrderId: { } orderId }) return;
        ref var p = ref ctx.Profile;
        var revenue = e.Revenue ?? Saturating.SumOf(e.Items);
        p.TotalRevenue = Saturating.Add(p.TotalRevenue, revenue);
        p.Orders = Saturating.Add(p.Orders, 1);
        if (IsLaterPurchase(p.LastPurchase, e.Timestamp, orderId))
            p.LastPurchase = new PurchaseSummary(orderId, e.Timestamp, revenue, e.Currency, e.Items);
    }

    /// <summary>Latest by event time; equal times are broken by order id so the result does not depend on arrival order.</summary>
    private static bool IsLaterPurchase(PurchaseSummary? current, DateTimeOffset at, string orderId) =>
        current is null
        || at > current.At
        || (at == current.At && string.CompareOrdinal(orderId, current.OrderId) > 0);
}
