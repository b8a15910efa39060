using System.Text;
using System.Text.Json;

namespace DmpActors.Engine.Tests.Support;

/// <summary>Builds contract-conformant event JSON for tests.</summary>
public static class TestEvents
{
    public static readonly DateTimeOffset BaseTime = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary><see cref="PageView"/> as the ingest hands it to an entity: parsed and accepted.</summary>
    public static Domain.Events.UserEvent ParsedPageView(string eventId, string userId, int minute = 0) =>
        Domain.Events.EventParser.ParseAccepted(PageView(eventId, userId, minute)).Event!;

    public static byte[] PageView(string eventId, string userId, int minute = 0) =>
        Json(new Dictionary<string, object?>
        {
            ["event_id"] = eventId, ["type"] = "page_view", ["user_id"] = userId,
            ["timestamp"] = BaseTime.AddMinutes(minute).ToString("O"), ["properties"] = new { url = "/home" },
        });

    public static byte[] ProductView(string eventId, string userId, string itemId, int minute = 0) =>
        Json(new Dictionary<string, object?>
        {
            ["event_id"] = eventId, ["type"] = "product_view", ["user_id"] = userId,
            ["timestamp"] = BaseTime.AddMinutes(minute).ToString("O"),
            ["properties"] = new { item_id = itemId, category = "toys", price = 9.5 },
        });

    public static byte[] Purchase(string eventId, string userId, decimal revenue, int minute = 0) =>
        Json(new Dictionary<string, object?>
        {
            ["event_id"] = eventId, ["type"] = "purchase", ["user_id"] = userId,
            ["timestamp"] = BaseTime.AddMinutes(minute).ToString("O"),
            ["properties"] = new Dictionary<string, object?>
            {
                ["order_id"] = "o-" + eventId, ["revenue"] = revenue, ["currency"] = "GBP",
                ["items"] = new[] { new { item_id = "i1", category = "toys", price = revenue, quantity = 1 } },
            },
        });

    public static byte[] AnonymousView(string eventId, string anonymousId, int minute = 0) => Json(new Dictionary<string, object?>
    {
        ["event_id"] = eventId, ["type"] = "product_view", ["anonymous_id"] = anonymousId,
        ["timestamp"] = BaseTime.AddMinutes(minute).ToString("O"), ["properties"] = new { item_id = "sku-" + eventId, category = "toys" },
    });

    public static byte[] Identify(string eventId, string userId, string anonymousId, int minute = 0) => Json(new Dictionary<string, object?>
    {
        ["event_id"] = eventId, ["type"] = "identify", ["user_id"] = userId, ["anonymous_id"] = anonymousId,
        ["timestamp"] = BaseTime.AddMinutes(minute).ToString("O"), ["traits"] = new { plan = "pro" },
    });

    public static byte[] Alias(string eventId, string userId, string previousId) => Json(new Dictionary<string, object?>
    {
        ["event_id"] = eventId, ["type"] = "alias", ["user_id"] = userId,
        ["timestamp"] = BaseTime.ToString("O"), ["properties"] = new { previous_id = previousId },
    });

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    /// <summary>One of each kind of bad input, with the reason code the pipeline must report.</summary>
    public static IReadOnlyList<(string Reason, byte[] Bytes)> Invalid(DateTimeOffset now) =>
    [
        ("malformed_json", Encoding.UTF8.GetBytes("{\"event_id\": \"x1\", \"type\": ")),
        ("unknown_type", Encoding.UTF8.GetBytes($$"""{"event_id":"x2","type":"teleport","user_id":"u","timestamp":"{{BaseTime:O}}"}""")),
        ("missing_id", Encoding.UTF8.GetBytes($$"""{"event_id":"x3","type":"page_view","timestamp":"{{BaseTime:O}}"}""")),
        ("oversize", Encoding.UTF8.GetBytes($$$"""{"event_id":"x4","type":"page_view","user_id":"u","timestamp":"{{{BaseTime:O}}}","properties":{"url":"{{{new string('a', 70_000)}}}"}}""")),
        ("future_timestamp", Encoding.UTF8.GetBytes($$"""{"event_id":"x5","type":"page_view","user_id":"u","timestamp":"{{now.AddHours(25):O}}"}""")),
        ("wrong_field_type", Encoding.UTF8.GetBytes($$$"""{"event_id":"x6","type":"product_view","user_id":"u","timestamp":"{{{BaseTime:O}}}","properties":{"item_id":"i","price":"cheap"}}""")),
    ];
}
