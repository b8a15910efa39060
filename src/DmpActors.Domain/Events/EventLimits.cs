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

    /// <summary>How far past the injected "now" an event timestamp may be (producer clock skew). Kept well under
    /// the default allowed lateness (1 h): an accepted event moves its user's watermark at most this far ahead, so
    /// it cannot make the user's on-time events too late for the windows.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest magnitude of <c>revenue</c> and of a <c>price</c>, in money units. In cents it still fits a
    /// behaviour-window count (2^48 - 1 cents) and a long, so no sum downstream starts from an overflowing value.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Largest <c>quantity</c> of a cart event or a purchase line (the smallest is 1).</summary>
    public const int MaxQuantity = 1_000_000;
}
