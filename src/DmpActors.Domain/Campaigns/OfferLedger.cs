using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;

namespace DmpActors.Domain.Campaigns;

/// <summary>What started a decision: a trigger of a kind on a target (segment id or event type), identified by the
/// id of the change or event that caused it.</summary>
public sealed record TriggerCause(TriggerKind Kind, string Target, string CauseId, DateTimeOffset At);

/// <summary>An offer as subscribers receive it: its webhook-id and JSON body.</summary>
public sealed record OfferMessage(string OfferId, string UserId, string Body);

public static class OfferIds
{
    /// <summary>
    /// The webhook-id of the offer one campaign makes one user for one trigger: the same on every node and after every
    /// replay or restart, so a subscriber (and the outbox) drop a repeat.
    /// </summary>
    public static string For(string campaignId, string userId, string causeId) =>
        "offer_" + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes($"{campaignId}\u001f{userId}\u001f{causeId}")));
}

/// <summary>
/// One user's offer ledger: the offers they were sent lately (what the caps count), their recent decisions (what
/// explain shows) and the triggers already decided (so a replayed trigger decides nothing again). Pure and immutable.
/// </summary>
public sealed record OfferLedger
{
    public const int MaxDecisions = 50;
    public const int MaxCauses = 1000;

    public static OfferLedger Empty { get; } = new();

    public ImmutableList<SentOffer> Sent { get; init; } = [];
    public ImmutableList<CampaignDecision> Decisions { get; init; } = [];
    public ImmutableList<string> Causes { get; init; } = [];

    /// <summary>Offers decided and durable here, not yet acknowledged by the webhook outbox and the offers topic.</summary>
    public ImmutableList<OfferMessage> Pending { get; init; } = [];

    public bool Decided(string causeId) => Causes.Contains(causeId);

    /// <summary>The ledger after the decisions one trigger made (a sent one counts against the caps from now on).</summary>
    public OfferLedger Record(string causeId, IReadOnlyList<CampaignDecision> decisions, IReadOnlyList<OfferMessage> offers)
    {
        var sent = Sent;
        foreach (var d in decisions.Where(d => d.Outcome == DecisionOutcome.Sent))
            sent = [.. FrequencyCaps.Record(sent, new SentOffer(d.CampaignId, d.DecidedAt))];
        var all = Decisions.AddRange(decisions);
        var causes = Causes.Add(causeId);
        return this with
        {
            Sent = sent,
            Decisions = all.Count > MaxDecisions ? all.RemoveRange(0, all.Count - MaxDecisions) : all,
            Causes = causes.Count > MaxCauses ? causes.RemoveRange(0, causes.Count - MaxCauses) : causes,
            Pending = Pending.AddRange(offers),
        };
    }

    /// <summary>The ledger once the offers named are acknowledged.</summary>
    public OfferLedger Published(IReadOnlyCollection<string> offerIds) =>
        this with { Pending = Pending.RemoveAll(o => offerIds.Contains(o.OfferId)) };
}
