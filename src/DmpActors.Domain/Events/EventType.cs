namespace DmpActors.Domain.Events;

/// <summary>The kinds of user event the platform understands. Values are stable: they index count arrays.</summary>
public enum EventType : byte
{
    PageView,
    ProductView,
    Search,
    AddToCart,
    RemoveFromCart,
    Purchase,
    Identify,
    Alias,
    Consent,
    OfferImpression,
    OfferClick,
    Custom,
}

/// <summary>Wire names (snake_case) of <see cref="EventType"/>.</summary>
public static class EventTypes
{
    private static readonly string[] Wire =
    [
        "page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "purchase",
        "identify", "alias", "consent", "offer_impression", "offer_click", "custom",
    ];

    private static readonly byte[][] WireUtf8 = Array.ConvertAll(Wire, System.Text.Encoding.UTF8.GetBytes);

    private static readonly EventType[] AllTypes = Enum.GetValues<EventType>();

    /// <summary>Every event type, in enum order.</summary>
    public static IReadOnlyList<EventType> All => AllTypes;

    /// <summary>Number of event types; the length of a full count array.</summary>
    public static int Count => AllTypes.Length;

    public static string ToWire(EventType t) =>
        (uint)t < (uint)Wire.Length ? Wire[(int)t] : throw new ArgumentOutOfRangeException(nameof(t), t, null);

    /// <summary>Exact, case-sensitive match on the UTF-8 wire name.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out EventType t)
    {
        // Linear scan over 12 short names beats a hash for this size; the length check rejects most at once.
        var names = WireUtf8;
        for (var i = 0; i < names.Length; i++)
        {
            if (utf8.SequenceEqual(names[i]))
            {
                t = (EventType)i;
                return true;
            }
        }

        t = default;
        return false;
    }

    public static bool TryParse(string s, out EventType t)
    {
        ArgumentNullException.ThrowIfNull(s);
        var i = Array.IndexOf(Wire, s);
        t = i >= 0 ? (EventType)i : default;
        return i >= 0;
    }
}
