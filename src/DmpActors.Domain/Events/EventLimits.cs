namespace DmpActors.Domain.Events;

/// <summary>Bounds enforced by <see cref="EventParser"/>. Lengths of ids are in UTF-16 code units (string length).</summary>
public sealed record EventLimits
{
    public static EventLimits Default { get; } = new();

    /// <summary>Largest accepted payload, in UTF-8 bytes.</summary>
    public int MaxEventBytes { get; init; } = 65536;

    public int MaxEventIdLength { get; init; } = 128;

    /// <summary>Longest user_id / anonymous_id.</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>How far past the injected "now" an event timestamp may be (producer clock skew).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromHours(24);
}
