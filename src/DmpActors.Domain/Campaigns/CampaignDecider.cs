namespace DmpActors.Domain.Campaigns;

public enum DecisionOutcome { Sent, Paused, NotActive, NoConsent, Holdout, OutOfBudget, Capped, Deferred, Dropped, NotInAudience }

/// <summary>What is known about the user and the campaign at decision time.</summary>
public sealed record DecisionInput
{
    public required string UserId { get; init; }
    public required DateTimeOffset Now { get; init; }
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>True when the user's latest <c>marketing</c> consent is a denial.</summary>
    public bool MarketingDenied { get; init; }
    public IReadOnlyList<SentOffer> History { get; init; } = [];
    public IReadOnlyList<FrequencyCap> GlobalCaps { get; init; } = [];

    /// <summary>Offers the campaign has sent so far, what its budget is measured against.</summary>
    public long CampaignSent { get; init; }
    public IReadOnlyDictionary<string, VariantCounts> VariantCounts { get; init; } = new Dictionary<string, VariantCounts>();
    public Random Rng { get; init; } = Random.Shared;
}

/// <summary>A recorded decision: its outcome, the rule, cap or window that decided it, and the variant when one is sent.</summary>
public sealed record CampaignDecision(string CampaignId, string UserId, DateTimeOffset DecidedAt, DecisionOutcome Outcome, string Reason)
{
    public string? VariantId { get; init; }
    public DateTimeOffset? DeferredUntil { get; init; }

    /// <summary>The outcome as the API and logs name it (no_consent, out_of_budget, ...).</summary>
    public string Code => Outcome switch
    {
        DecisionOutcome.NoConsent => "no_consent",
        DecisionOutcome.OutOfBudget => "out_of_budget",
        DecisionOutcome.NotActive => "not_active",
        DecisionOutcome.NotInAudience => "not_in_audience",
        var other => other.ToString().ToLowerInvariant(),
    };
}

public static class CampaignDecider
{
    /// <summary>
    /// Decides one offer. The order matters: a paused or inactive campaign decides nothing else; consent before holdout
    /// so a denial is never counted as a holdout; holdout before budget and caps so a held-out user costs neither.
    /// </summary>
    public static CampaignDecision Decide(CampaignDefinition c, DecisionInput input)
    {
        var now = input.Now;
        CampaignDecision Make(DecisionOutcome outcome, string reason) => new(c.Id, input.UserId, now, outcome, reason);

        if (c.Paused) return Make(DecisionOutcome.Paused, "campaign is paused");
        if (c.StartsAt is { } start && now < start) return Make(DecisionOutcome.NotActive, $"campaign starts at {start:o}");
        if (c.EndsAt is { } end && now >= end) return Make(DecisionOutcome.NotActive, $"campaign ended at {end:o}");
        if (input.MarketingDenied) return Make(DecisionOutcome.NoConsent, "latest marketing consent is a denial");
        if (Holdout.IsHeldOut(c.Id, input.UserId, c.HoldoutPercent))
            return Make(DecisionOutcome.Holdout, $"bucket {Holdout.Bucket(c.Id, input.UserId)} of {Holdout.Buckets} is in the {c.HoldoutPercent}% holdout");
        if (c.Budget is { } budget && input.CampaignSent >= budget)
            return Make(DecisionOutcome.OutOfBudget, $"budget of {budget} offers spent");
        if (FrequencyCaps.Check(c.Id, c.Caps, input.GlobalCaps, input.History, now, input.Zone) is { } capped)
            return Make(DecisionOutcome.Capped, capped.Describe(input.Zone));
        if (c.QuietHours is { } quiet && QuietHoursWindow.EndsAt(quiet, now, input.Zone) is { } opens)
        {
            var window = $"quiet hours {quiet.Start:HH\\:mm}–{quiet.End:HH\\:mm} {input.Zone.Id}";
            return quiet.Mode == QuietHoursMode.Defer
                ? Make(DecisionOutcome.Deferred, $"{window}, deferred until {opens:o}") with { DeferredUntil = opens }
                : Make(DecisionOutcome.Dropped, $"{window}, dropped");
        }

        var variant = c.Allocation == AllocationMode.Thompson
            ? VariantAllocation.Thompson(c.Variants, input.VariantCounts, input.Rng)
            : VariantAllocation.Fixed(c.Variants, c.Id, input.UserId);
        return Make(DecisionOutcome.Sent, $"variant {variant.Id} by {(c.Allocation == AllocationMode.Thompson ? "thompson sampling" : "fixed split")}")
            with { VariantId = variant.Id };
    }
}
