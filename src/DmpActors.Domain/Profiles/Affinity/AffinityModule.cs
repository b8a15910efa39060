using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles.Privacy;

namespace DmpActors.Domain.Profiles.Affinity;

/// <summary>Decayed interest per category and per item; nothing is recorded while personalization consent is denied.</summary>
public sealed class AffinityModule : IFeatureModule
{
    /// <summary>Signal weights: a purchase says more than a cart, a cart more than a view.</summary>
    public const double ViewWeight = 1, CartWeight = 3, PurchaseWeight = 5;

    public static readonly AffinityModule Instance = new();

    private AffinityModule() { }

    public string Name => "affinity";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        ref var p = ref ctx.Profile;
        if (ConsentPurposes.IsDenied(p.Consent, ConsentPurposes.Personalization)) return;
        var (rules, at) = (ctx.Rules, e.Timestamp);
        switch (e.Type)
        {
            case EventType.ProductView or EventType.AddToCart:
                var weight = e.Type == EventType.ProductView ? ViewWeight : CartWeight;
                if (e.Category is not null) p.CategoryAffinity = p.CategoryAffinity.Add(e.Category, weight, at, rules);
                if (e.ItemId is not null) p.ItemAffinity = p.ItemAffinity.Add(e.ItemId, weight, at, rules);
                break;
            case EventType.Purchase when e.OrderId is not null:
                foreach (var line in e.Items)
                {
                    if (line.Category is not null) p.CategoryAffinity = p.CategoryAffinity.Add(line.Category, PurchaseWeight, at, rules);
                    p.ItemAffinity = p.ItemAffinity.Add(line.ItemId, PurchaseWeight, at, rules);
                }

                break;
        }
    }
}
