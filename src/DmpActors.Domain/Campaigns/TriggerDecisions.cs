using System.Collections.Concurrent;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Campaigns;

/// <summary>
/// Decides, for one user and one trigger, every campaign the trigger starts, highest priority first. Each offer
/// decided as sent counts against the caps of the ones after it, so the campaigns of one trigger never exceed a
/// global cap together. The budget is the campaign's own to spend: a sent decision here is a candidate until then.
/// </summary>
public static class TriggerDecisions
{
    private static readonly ConcurrentDictionary<string, CompiledRule> Audiences = new(StringComparer.Ordinal);

    public static IReadOnlyList<CampaignDecision> Decide(IEnumerable<CampaignDefinition> campaigns, string userId, UserProfile? profile,
        OfferLedger ledger, DateTimeOffset now, IReadOnlyList<FrequencyCap> globalCaps, Random rng)
    {
        var zone = LocalPeriods.Zone(profile?.Traits.GetValueOrDefault("timezone"));
        var denied = profile?.Consent is { } consent && consent.TryGetValue("marketing", out var marketing) && !marketing.Granted;
        var history = ledger.Sent.ToList();
        var decisions = new List<CampaignDecision>();
        foreach (var campaign in campaigns)
        {
            if (campaign.Audience is { } audience && !InAudience(audience, profile, now))
            {
                decisions.Add(new CampaignDecision(campaign.Id, userId, now, DecisionOutcome.NotInAudience, $"audience {audience} does not match"));
                continue;
            }

            var decision = CampaignDecider.Decide(campaign, new DecisionInput
            {
                UserId = userId, Now = now, Zone = zone, MarketingDenied = denied, History = history, GlobalCaps = globalCaps, Rng = rng,
            });
            decisions.Add(decision);
            if (decision.Outcome == DecisionOutcome.Sent) history.Add(new SentOffer(campaign.Id, now));
        }
        return decisions;
    }

    private static bool InAudience(string audience, UserProfile? profile, DateTimeOffset now) =>
        profile is not null && Audiences.GetOrAdd(audience, a => new RuleCompiler().Compile(RuleDefinition.Define(a))).Evaluate(profile, now);
}
