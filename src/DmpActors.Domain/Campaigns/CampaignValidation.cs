using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Campaigns;

/// <summary>A problem with one field of a definition, named by its JSON path (e.g. <c>variants[1].weight</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

public static class CampaignValidation
{
    public const int MaxVariants = 20;

    /// <summary>Every problem with the definition, each naming its field; empty when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(CampaignDefinition c, FieldCatalogue? catalogue = null)
    {
        var errors = new List<FieldError>();
        void Error(string field, string message) => errors.Add(new FieldError(field, message));

        if (!IsIdentifier(c.Id)) Error("id", "1–64 characters of letters, digits, '-', '_' or '.'");
        if (string.IsNullOrWhiteSpace(c.Name)) Error("name", "required");
        else if (c.Name.Length > 200) Error("name", "at most 200 characters");
        if (string.IsNullOrWhiteSpace(c.Trigger.Target))
            Error("trigger.target", c.Trigger.Kind == TriggerKind.Event ? "an event type is required" : "a segment id is required");
        if (c.Audience is { } audience)
        {
            try { RuleDefinition.Define(audience, catalogue); }
            catch (RuleException e) { Error("audience", e.Message); }
        }

        ValidateVariants(c, Error);
        if (double.IsNaN(c.HoldoutPercent) || c.HoldoutPercent is < 0 or >= 100) Error("holdout_percent", "between 0 and 100 (exclusive)");
        for (var i = 0; i < c.Caps.Count; i++)
            if (c.Caps[i].Count < 1) Error($"caps[{i}].count", "at least 1");
        if (c.QuietHours is { } quiet && quiet.Start == quiet.End) Error("quiet_hours", "start and end must differ");
        if (c.StartsAt is { } start && c.EndsAt is { } end && end <= start) Error("ends_at", "must be after starts_at");
        if (c.Budget is < 0) Error("budget", "zero or more");
        return errors;
    }

    private static void ValidateVariants(CampaignDefinition c, Action<string, string> error)
    {
        if (c.Variants.Count == 0) error("variants", "at least one variant");
        if (c.Variants.Count > MaxVariants) error("variants", $"at most {MaxVariants} variants");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < c.Variants.Count; i++)
        {
            var v = c.Variants[i];
            if (!IsIdentifier(v.Id)) error($"variants[{i}].id", "1–64 characters of letters, digits, '-', '_' or '.'");
            else if (!seen.Add(v.Id)) error($"variants[{i}].id", $"'{v.Id}' appears twice");
            if (double.IsNaN(v.Weight) || double.IsInfinity(v.Weight) || v.Weight < 0) error($"variants[{i}].weight", "a finite number, zero or more");
            if (v.Payload.ValueKind != System.Text.Json.JsonValueKind.Object) error($"variants[{i}].payload", "a JSON object");
        }
        if (c.Allocation == AllocationMode.Fixed && c.Variants.Count > 0 && c.Variants.All(v => v.Weight <= 0))
            error("variants", "a fixed split needs one variant with a weight above zero");
    }

    public static bool IsIdentifier(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.');
}
