using Akka.Actor;
using Akka.Persistence;
using DmpActors.Domain.Campaigns;

namespace DmpActors.Engine.Campaigns;

/// <summary>
/// One campaign (sharded entity type "campaign"): the one place its budget is spent, so the budget is exact across
/// the cluster, and its offers per variant. Event-sourced: one <see cref="OfferReserved"/> per offer, keyed by (user,
/// cause) so a repeated reservation spends nothing again.
/// </summary>
public sealed class CampaignActor : ReceivePersistentActor
{
    private readonly string _campaignId;
    private readonly CampaignRegistry _registry;
    private readonly Dictionary<string, string> _reserved = new(StringComparer.Ordinal); // (user, cause) → variant
    private readonly Dictionary<string, long> _variantOffers = new(StringComparer.Ordinal);
    private readonly Random _rng = new();

    public CampaignActor(string campaignId, CampaignRegistry registry)
    {
        (_campaignId, _registry) = (campaignId, registry);
        Recover<OfferReserved>(Apply);
        Command<ReserveOffer>(Reserve);
        Command<GetCampaignStats>(_ => Sender.Tell(new CampaignStats(_campaignId, _reserved.Count, _registry.Current.Find(_campaignId)?.Budget,
            _variantOffers.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new VariantOffers(kv.Key, kv.Value)).ToList())));
    }

    public override string PersistenceId => "campaign-" + _campaignId;

    public static Props Props(string campaignId, CampaignRegistry registry) =>
        Akka.Actor.Props.Create(() => new CampaignActor(campaignId, registry));

    private static string Key(string userId, string causeId) => userId + "\u001f" + causeId;

    private void Apply(OfferReserved e)
    {
        _reserved[Key(e.UserId, e.CauseId)] = e.VariantId;
        _variantOffers[e.VariantId] = _variantOffers.GetValueOrDefault(e.VariantId) + 1;
    }

    private void Reserve(ReserveOffer r)
    {
        if (_reserved.TryGetValue(Key(r.UserId, r.CauseId), out var known))
        {
            Sender.Tell(new OfferReservation(_campaignId, true, known, "already reserved for this trigger"));
            return;
        }

        var campaign = _registry.Current.Find(_campaignId);
        if (campaign is null)
        {
            Sender.Tell(new OfferReservation(_campaignId, false, r.VariantId, "campaign is not defined on this node"));
            return;
        }

        if (campaign.Budget is { } budget && _reserved.Count >= budget)
        {
            Sender.Tell(new OfferReservation(_campaignId, false, r.VariantId, $"budget of {budget} offers spent"));
            return;
        }

        var variant = campaign.Allocation == AllocationMode.Thompson
            ? VariantAllocation.Thompson(campaign.Variants, _variantOffers.ToDictionary(kv => kv.Key, kv => new VariantCounts(kv.Value, 0)), _rng).Id
            : r.VariantId;
        var sender = Sender;
        Persist(new OfferReserved(r.UserId, r.CauseId, variant), e =>
        {
            Apply(e);
            sender.Tell(new OfferReservation(_campaignId, true, e.VariantId, $"offer {_reserved.Count} of {campaign.Budget?.ToString() ?? "unlimited"}"));
        });
    }
}
