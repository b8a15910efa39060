using DmpActors.Domain.Campaigns;

namespace DmpActors.Domain.Webhooks;

/// <summary>What a subscriber receives: offers, segment changes.</summary>
public static class WebhookKinds
{
    public const string Offer = "offer";
    public const string SegmentChange = "segment_change";
    public static readonly IReadOnlyList<string> All = [Offer, SegmentChange];
}

/// <summary>A subscriber endpoint. The secret signs every delivery and is never shown again once written.</summary>
public sealed record WebhookSubscription(string Id, string Url, string Secret, IReadOnlyList<string> Kinds, bool Enabled = true)
{
    public const string SecretPrefix = "whsec_";

    public bool Wants(string kind) => Enabled && Kinds.Contains(kind);

    /// <summary>Every problem with the subscription, each naming its field.</summary>
    public static IReadOnlyList<FieldError> Validate(WebhookSubscription s)
    {
        var errors = new List<FieldError>();
        if (!CampaignValidation.IsIdentifier(s.Id)) errors.Add(new("id", "1–64 characters of letters, digits, '-', '_' or '.'"));
        if (!Uri.TryCreate(s.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add(new("url", "an absolute http or https URL"));
        if (SecretError(s.Secret) is { } secret) errors.Add(new("secret", secret));
        if (s.Kinds.Count == 0) errors.Add(new("kinds", $"at least one of {string.Join(", ", WebhookKinds.All)}"));
        for (var i = 0; i < s.Kinds.Count; i++)
            if (!WebhookKinds.All.Contains(s.Kinds[i])) errors.Add(new($"kinds[{i}]", $"'{s.Kinds[i]}' is not one of {string.Join(", ", WebhookKinds.All)}"));
        return errors;
    }

    /// <summary>Standard Webhooks secrets: <c>whsec_</c> and the base64 of 24 to 64 random bytes.</summary>
    private static string? SecretError(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            return $"'{SecretPrefix}' followed by base64 of 24 to 64 bytes";
        var bytes = new byte[128];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], bytes, out var length) && length is >= 24 and <= 64
            ? null
            : $"'{SecretPrefix}' followed by base64 of 24 to 64 bytes";
    }
}
