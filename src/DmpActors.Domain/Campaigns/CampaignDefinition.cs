using System.Text.Json;

namespace DmpActors.Domain.Campaigns;

public enum TriggerKind { SegmentEntered, SegmentExited, Event }

/// <summary>What starts a decision: a segment entered or exited (Target = segment id), or an event of a type (Target = event type).</summary>
public sealed record CampaignTrigger(TriggerKind Kind, string Target);

/// <summary>One offer a campaign can make: its weight in a fixed split and the payload sent to subscribers.</summary>
public sealed record OfferVariant(string Id, double Weight, JsonElement Payload);

public enum CapPeriod { Day, Week }

/// <summary>At most <paramref name="Count"/> offers per local calendar day or ISO week (Monday first) of the user's time zone.</summary>
public sealed record FrequencyCap(int Count, CapPeriod Per)
{
    public override string ToString() => $"{Count}/{(Per == CapPeriod.Day ? "day" : "week")}";
}

public enum QuietHoursMode { Defer, Drop }

/// <summary>Local wall-clock hours in which no offer is sent; the window may wrap midnight (21:00–08:00).</summary>
public sealed record QuietHours(TimeOnly Start, TimeOnly End, QuietHoursMode Mode);

public enum AllocationMode { Fixed, Thompson }

/// <summary>A campaign as a marketer defines it. <see cref="CampaignValidation"/> says whether it is a valid one.</summary>
public sealed record CampaignDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required CampaignTrigger Trigger { get; init; }

    /// <summary>A segment rule (docs/segments.md) the user must match; null for everyone the trigger reaches.</summary>
    public string? Audience { get; init; }
    public required IReadOnlyList<OfferVariant> Variants { get; init; }
    public AllocationMode Allocation { get; init; } = AllocationMode.Fixed;

    /// <summary>Percentage (0–100) of users who never receive the campaign, kept for lift.</summary>
    public double HoldoutPercent { get; init; }
    public IReadOnlyList<FrequencyCap> Caps { get; init; } = [];
    public QuietHours? QuietHours { get; init; }
    public DateTimeOffset? StartsAt { get; init; }
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The most offers the campaign may send in all; null for no limit.</summary>
    public long? Budget { get; init; }

    /// <summary>Higher first when several campaigns answer one trigger.</summary>
    public int Priority { get; init; }
    public bool Paused { get; init; }
}
