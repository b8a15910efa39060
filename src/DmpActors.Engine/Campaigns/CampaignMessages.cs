using Akka.Cluster.Sharding;
using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Campaigns;

/// <summary>A message for one campaign entity (sharded by campaign id).</summary>
public interface ICampaignCommand : IWireMessage
{
    string CampaignId { get; }
}

/// <summary>A message for one user's offer ledger (sharded by user id).</summary>
public interface IOfferLedgerCommand : IWireMessage
{
    string UserId { get; }
}

/// <summary>Decide every campaign a trigger starts for the user. Answered by <see cref="OffersDecided"/> (a trigger
/// decided before is answered with no decisions).</summary>
public sealed record DecideOffers(string UserId, TriggerCause Cause) : IOfferLedgerCommand;

/// <summary>The ledger's journal event (and the answer to <see cref="DecideOffers"/>): the decisions one trigger made,
/// and the offers to deliver.</summary>
public sealed record OffersDecided(string UserId, TriggerCause Cause, IReadOnlyList<CampaignDecision> Decisions,
    IReadOnlyList<OfferMessage> Offers) : IWireMessage;

/// <summary>The ledger's journal event: offers acknowledged by the webhook outbox and the offers topic.</summary>
public sealed record OffersPublished(IReadOnlyList<string> OfferIds) : IWireMessage;

/// <summary>Asks for the user's recent decisions. Answered by <see cref="OfferDecisions"/>.</summary>
public sealed record GetOfferDecisions(string UserId) : IOfferLedgerCommand;

public sealed record OfferDecisions(string UserId, IReadOnlyList<CampaignDecision> Decisions, IReadOnlyList<SentOffer> Sent) : IWireMessage;

/// <summary>Spend one offer of the budget on (user, cause), with the variant the user's decision chose (a Thompson
/// campaign chooses its own from its counts). The same (user, cause) again is answered as it was the first time.</summary>
public sealed record ReserveOffer(string CampaignId, string UserId, string CauseId, string VariantId) : ICampaignCommand;

public sealed record OfferReservation(string CampaignId, bool Granted, string VariantId, string Reason) : IWireMessage;

/// <summary>The campaign's journal event: one offer of its budget spent.</summary>
public sealed record OfferReserved(string UserId, string CauseId, string VariantId) : IWireMessage;

public sealed record GetCampaignStats(string CampaignId) : ICampaignCommand;

public sealed record VariantOffers(string VariantId, long Offers);

public sealed record CampaignStats(string CampaignId, long Offers, long? Budget, IReadOnlyList<VariantOffers> Variants) : IWireMessage;

public sealed class CampaignMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string EntityId(object message) => message switch
    {
        ICampaignCommand c => c.CampaignId,
        IOfferLedgerCommand u => u.UserId,
        _ => null!,
    };
}
