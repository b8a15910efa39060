namespace DmpActors.Engine.Webhooks;

/// <summary>How hard an endpoint's deliveries try (Dmp:Webhooks).</summary>
public sealed record WebhookDeliverySettings
{
    /// <summary>Attempts per message before it becomes a dead letter: with the default delays about 18 minutes of trying.</summary>
    public int MaxAttempts { get; init; } = 12;

    /// <summary>First retry delay; each next one doubles, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest Retry-After (on 429 and 503) that is honoured as given; longer ones wait this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries in flight per endpoint (each endpoint has its own; one never waits for another).</summary>
    public int MaxInFlight { get; init; } = 4;

    /// <summary>The endpoint's breaker opens when this share of attempts fails within <see cref="BreakerSampling"/>.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;
    public int BreakerMinimumThroughput { get; init; } = 10;
    public TimeSpan BreakerSampling { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    public static WebhookDeliverySettings Default { get; } = new();
}
