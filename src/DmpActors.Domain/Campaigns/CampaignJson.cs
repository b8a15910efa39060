using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DmpActors.Domain.Campaigns;

/// <summary>
/// A campaign definition as JSON (docs/campaigns.md#a-definition): read with every problem named by its field, and
/// written in one canonical form, which is what the catalogue keeps and compares.
/// </summary>
public static class CampaignJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private sealed record TriggerDoc(string? Kind, string? Target);
    private sealed record VariantDoc(string? Id, double? Weight, JsonElement? Payload);
    private sealed record CapDoc(int? Count, string? Per);
    private sealed record QuietDoc(string? Start, string? End, string? Mode);

    private sealed record Doc(string? Id, string? Name, TriggerDoc? Trigger, string? Audience, IReadOnlyList<VariantDoc>? Variants,
        string? Allocation, double? HoldoutPercent, IReadOnlyList<CapDoc>? Caps, QuietDoc? QuietHours, DateTimeOffset? StartsAt,
        DateTimeOffset? EndsAt, long? Budget, int? Priority, bool? Paused);

    /// <summary>The definition <paramref name="json"/> gives for <paramref name="id"/> (the id in the body, if any, must
    /// match), or every problem with it, each naming its field.</summary>
    public static (CampaignDefinition? Definition, IReadOnlyList<FieldError> Errors) Read(string id, string json)
    {
        Doc? doc;
        try
        {
            doc = JsonSerializer.Deserialize<Doc>(json, Options);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, [new FieldError(field, Plain(e.Message))]);
        }

        if (doc is null) return (null, [new FieldError("body", "a JSON object")]);
        var errors = new List<FieldError>();
        if (doc.Id is { } bodyId && bodyId != id) errors.Add(new FieldError("id", $"'{bodyId}' does not match the campaign id '{id}' of the path"));
        var definition = new CampaignDefinition
        {
            Id = id,
            Name = doc.Name ?? "",
            Trigger = Trigger(doc.Trigger, errors),
            Audience = string.IsNullOrWhiteSpace(doc.Audience) ? null : doc.Audience,
            Variants = (doc.Variants ?? []).Select((v, i) => new OfferVariant(v.Id ?? "", v.Weight ?? 1,
                v.Payload ?? EmptyObject)).ToList(),
            Allocation = Enum<AllocationMode>(doc.Allocation, "allocation", AllocationMode.Fixed, errors),
            HoldoutPercent = doc.HoldoutPercent ?? 0,
            Caps = (doc.Caps ?? []).Select((c, i) => new FrequencyCap(c.Count ?? 0, Enum<CapPeriod>(c.Per, $"caps[{i}].per", CapPeriod.Day, errors))).ToList(),
            QuietHours = doc.QuietHours is { } q ? Quiet(q, errors) : null,
            StartsAt = doc.StartsAt,
            EndsAt = doc.EndsAt,
            Budget = doc.Budget,
            Priority = doc.Priority ?? 0,
            Paused = doc.Paused ?? false,
        };
        errors.AddRange(CampaignValidation.Validate(definition));
        return errors.Count == 0 ? (definition, []) : (null, errors);
    }

    /// <summary>The canonical JSON of a definition: snake_case, enums in lower case, times as HH:mm.</summary>
    public static string Write(CampaignDefinition c) => JsonSerializer.Serialize(new Doc(
        c.Id, c.Name, new TriggerDoc(Snake(c.Trigger.Kind.ToString()), c.Trigger.Target), c.Audience,
        c.Variants.Select(v => new VariantDoc(v.Id, v.Weight, v.Payload)).ToList(), Snake(c.Allocation.ToString()),
        c.HoldoutPercent, c.Caps.Select(cap => new CapDoc(cap.Count, Snake(cap.Per.ToString()))).ToList(),
        c.QuietHours is { } q ? new QuietDoc(q.Start.ToString("HH:mm", CultureInfo.InvariantCulture),
            q.End.ToString("HH:mm", CultureInfo.InvariantCulture), Snake(q.Mode.ToString())) : null,
        c.StartsAt, c.EndsAt, c.Budget, c.Priority, c.Paused), Options);

    /// <summary>Reads a definition the catalogue wrote (it was valid when written).</summary>
    public static CampaignDefinition Parse(string id, string json) =>
        Read(id, json) is { Definition: { } d } ? d : throw new FormatException($"campaign {id}: the stored definition does not read");

    private static CampaignTrigger Trigger(TriggerDoc? t, List<FieldError> errors)
    {
        if (t is null)
        {
            errors.Add(new FieldError("trigger", "required: {\"kind\": \"segment_entered\", \"target\": \"<segment id>\"}"));
            return new CampaignTrigger(TriggerKind.SegmentEntered, "-");
        }
        return new CampaignTrigger(Enum<TriggerKind>(t.Kind, "trigger.kind", TriggerKind.SegmentEntered, errors, required: true), t.Target ?? "");
    }

    private static QuietHours Quiet(QuietDoc q, List<FieldError> errors)
    {
        TimeOnly Time(string? text, string field)
        {
            if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
            errors.Add(new FieldError(field, "a local time HH:mm"));
            return TimeOnly.MinValue;
        }
        return new QuietHours(Time(q.Start, "quiet_hours.start"), Time(q.End, "quiet_hours.end"),
            Enum<QuietHoursMode>(q.Mode, "quiet_hours.mode", QuietHoursMode.Defer, errors));
    }

    private static T Enum<T>(string? text, string field, T fallback, List<FieldError> errors, bool required = false) where T : struct, Enum
    {
        if (text is null && !required) return fallback;
        var name = (text ?? "").Replace("_", "");
        if (!string.IsNullOrEmpty(name) && System.Enum.TryParse<T>(name, ignoreCase: true, out var value) && !int.TryParse(name, out _)) return value;
        errors.Add(new FieldError(field, "one of " + string.Join(", ", System.Enum.GetNames<T>().Select(Snake))));
        return fallback;
    }

    private static string Snake(string pascal) => JsonNamingPolicy.SnakeCaseLower.ConvertName(pascal);

    /// <summary>The parser's message without its path and position, which the field already names.</summary>
    private static string Plain(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
