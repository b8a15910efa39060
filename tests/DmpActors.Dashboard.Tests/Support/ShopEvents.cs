using System.Globalization;

namespace DmpActors.Dashboard.Tests.Support;

/// <summary>Events stamped near now, so they fall inside every behaviour window the profile viewer draws.</summary>
public static class ShopEvents
{
    private static string Stamp(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    public static string PageView(string eventId, string userId, DateTimeOffset at) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"page_view","user_id":"{{{userId}}}","timestamp":"{{{Stamp(at)}}}","properties":{"url":"/p"}}""";

    public static string AnonymousView(string eventId, string anonymousId, DateTimeOffset at) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"product_view","anonymous_id":"{{{anonymousId}}}","timestamp":"{{{Stamp(at)}}}","properties":{"item_id":"sku-7","category":"garden","price":12.5}}""";

    public static string Identify(string eventId, string userId, string anonymousId, DateTimeOffset at) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"identify","user_id":"{{{userId}}}","anonymous_id":"{{{anonymousId}}}","timestamp":"{{{Stamp(at)}}}"}""";

    public static string Consent(string eventId, string userId, DateTimeOffset at) =>
        $$$$"""{"event_id":"{{{{eventId}}}}","type":"consent","user_id":"{{{{userId}}}}","timestamp":"{{{{Stamp(at)}}}}","properties":{"purposes":{"analytics":true,"personalization":true,"marketing":false}}}""";

    public static string Purchase(string eventId, string userId, decimal revenue, DateTimeOffset at) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"purchase","user_id":"{{{userId}}}","timestamp":"{{{Stamp(at)}}}","properties":{"order_id":"o-{{{eventId}}}","revenue":{{{revenue.ToString(CultureInfo.InvariantCulture)}}},"currency":"EUR","items":[{"item_id":"sku-7","category":"garden","price":{{{revenue.ToString(CultureInfo.InvariantCulture)}}},"quantity":1}]}}""";
}
