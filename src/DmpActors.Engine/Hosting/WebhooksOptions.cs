using DmpActors.Engine.Webhooks;

namespace DmpActors.Engine.Hosting;

/// <summary>Webhook delivery (Dmp:Webhooks): retries, backoff, Retry-After, breaker and concurrency per endpoint.</summary>
public sealed class WebhooksOptions
{
    private static readonly WebhookDeliverySettings Defaults = WebhookDeliverySettings.Default;

    public int MaxAttempts { get; set; } = Defaults.MaxAttempts;
    public TimeSpan BaseDelay { get; set; } = Defaults.BaseDelay;
    public TimeSpan MaxDelay { get; set; } = Defaults.MaxDelay;
    public TimeSpan MaxRetryAfter { get; set; } = Defaults.MaxRetryAfter;
    public TimeSpan AttemptTimeout { get; set; } = Defaults.AttemptTimeout;
    public int MaxInFlight { get; set; } = Defaults.MaxInFlight;
    public TimeSpan BreakDuration { get; set; } = Defaults.BreakDuration;

    public void Validate(OptionsProblems problems)
    {
        problems.Check(MaxAttempts is >= 1 and <= 100, "MaxAttempts", $"must be between 1 and 100, got {MaxAttempts}");
        problems.Check(BaseDelay > TimeSpan.Zero, "BaseDelay", "must be positive");
        problems.Check(MaxDelay >= BaseDelay, "MaxDelay", "must be at least BaseDelay");
        problems.Check(MaxRetryAfter >= TimeSpan.Zero, "MaxRetryAfter", "must not be negative");
        problems.Check(AttemptTimeout >= TimeSpan.FromMilliseconds(10), "AttemptTimeout", "must be at least 10 ms");
        problems.Check(MaxInFlight is >= 1 and <= 256, "MaxInFlight", $"must be between 1 and 256, got {MaxInFlight}");
        // Polly's circuit breaker refuses a break shorter than half a second.
        problems.Check(BreakDuration >= TimeSpan.FromMilliseconds(500), "BreakDuration", "must be at least 500 ms");
    }

    public WebhookDeliverySettings ToSettings() => Defaults with
    {
        MaxAttempts = MaxAttempts, BaseDelay = BaseDelay, MaxDelay = MaxDelay, MaxRetryAfter = MaxRetryAfter,
        AttemptTimeout = AttemptTimeout, MaxInFlight = MaxInFlight, BreakDuration = BreakDuration,
    };
}
