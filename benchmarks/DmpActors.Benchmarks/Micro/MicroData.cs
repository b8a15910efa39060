using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Benchmarks.Micro;

/// <summary>Shared inputs: a ~300-byte product_view and a warm profile (many events, full recent-items and dedupe windows).</summary>
public static class MicroData
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly byte[] ProductView = Encoding.UTF8.GetBytes(
        "{\"event_id\":\"5f0c6a7e-2b1d-4c8e-9a3f-1d2e3f4a5b6c\",\"type\":\"product_view\",\"user_id\":\"user-0012345\"," +
        "\"anonymous_id\":\"anon-8f7e6d5c4b3a\",\"timestamp\":\"2026-03-01T11:59:00.123Z\"," +
        "\"properties\":{\"item_id\":\"sku-000123\",\"category\":\"shoes\",\"price\":59.90,\"session_id\":\"sess-00042-7\"}," +
        "\"context\":{\"ip\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}}");

    public static UserEvent Parse(string json) => EventParser.Parse(Encoding.UTF8.GetBytes(json), Now).Event
        ?? throw new InvalidOperationException("invalid micro-benchmark event: " + json);

    /// <summary>300 events (page views, product views over 80 items, a few purchases): recent items and event-id windows are full.</summary>
    public static UserProfile WarmProfile()
    {
        var p = UserProfile.Empty("user-0012345");
        for (var i = 0; i < 300; i++)
        {
            var ts = Now.AddMinutes(-600 + i).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var head = $"\"event_id\":\"{new Guid(i, 7, 9, 1, 2, 3, 4, 5, 6, 7, 8)}\",\"user_id\":\"user-0012345\",\"timestamp\":\"{ts}\"";
            var json = (i % 10) switch
            {
                0 => $"{{{head},\"type\":\"page_view\",\"properties\":{{\"url\":\"https://shop.example/deals\"}}}}",
                9 when i % 30 == 9 => $"{{{head},\"type\":\"purchase\",\"properties\":{{\"order_id\":\"o-{i}\",\"currency\":\"EUR\",\"items\":[{{\"item_id\":\"sku-{i % 80:D6}\",\"category\":\"shoes\",\"price\":59.90,\"quantity\":1}}]}}}}",
                _ => $"{{{head},\"type\":\"product_view\",\"properties\":{{\"item_id\":\"sku-{i * 7 % 80:D6}\",\"category\":\"shoes\",\"price\":59.90}}}}",
            };
            p = ProfileReducer.Apply(p, Parse(json), new EventPosition(0, i, 1)).Profile;
        }
        return p;
    }

    public static UserEvent WarmPageView() => Parse(
        "{\"event_id\":\"0b7f3a52-96f4-4b7e-8d55-0b1c2d3e4f50\",\"type\":\"page_view\",\"user_id\":\"user-0012345\"," +
        "\"timestamp\":\"2026-03-01T11:59:30.000Z\",\"properties\":{\"url\":\"https://shop.example/cat/shoes\"}}");

    private static readonly string[] Categories = Enumerable.Range(0, 8).Select(i => $"cat-{i:D2}").ToArray();
    private static readonly string[] Campaigns = Enumerable.Range(0, 4).Select(i => $"camp-{i}").ToArray();
    private static readonly string[] Items = Enumerable.Range(0, 2000).Select(i => $"sku-{i:D6}").ToArray();

    /// <summary>
    /// Events that fill every bucket of the windows up to <see cref="Now"/>: 6 a day for 30 days, 4 an hour for the
    /// last day, 3 a minute for the last hour (456 in time order), cycling through views, carts, purchases, searches,
    /// offer impressions and clicks over 8 categories, 4 campaigns and 2,000 items. Names come from shared arrays, as
    /// the parser's string pool shares them in the engine.
    /// </summary>
    public static IEnumerable<UserEvent> FullWindowEvents(int user)
    {
        var times = Enumerable.Range(0, 30 * 6).Select(i => Now.AddDays(-30).AddHours(i * 4).AddMinutes(user % 60))
            .Concat(Enumerable.Range(0, 24 * 4).Select(i => Now.AddDays(-1).AddMinutes(i * 15 + 1)))
            .Concat(Enumerable.Range(0, 60 * 3).Select(i => Now.AddHours(-1).AddSeconds(i * 20 + 1)))
            .Order()
            .ToArray();
        for (var k = 0; k < times.Length; k++)
        {
            var e = new UserEvent
            {
                EventId = $"{user:x8}-{k:x8}", Type = EventType.PageView, UserId = "user-0012345", Timestamp = times[k], Url = "/",
            };
            var item = Items[(user * 13 + k * 7) % Items.Length];
            var category = Categories[k % Categories.Length];
            yield return (k % 7) switch
            {
                0 => e,
                1 or 2 => e with { Type = EventType.ProductView, ItemId = item, Category = category, Price = 10m },
                3 => e with { Type = EventType.AddToCart, ItemId = item, Category = category, Quantity = 1 },
                4 => e with { Type = EventType.Search, Query = "shoes" },
                5 => e with { Type = k % 2 == 0 ? EventType.OfferImpression : EventType.OfferClick, CampaignId = Campaigns[k % Campaigns.Length] },
                _ => e with
                {
                    Type = EventType.Purchase, OrderId = $"o-{k}", Revenue = 25m, Currency = "EUR", Items = [new LineItem(item, category, 25m, 1)],
                },
            };
        }
    }

    public static UserProfile FullWindowsProfile(int user = 0) =>
        ProfileReducer.ApplyAll(UserProfile.Empty("user-0012345"), FullWindowEvents(user).Select(e => (e, (EventPosition?)null)));

    /// <summary>A page_view in the watermark's minute (the common case) or at the start of the next one (rolls the buckets).</summary>
    public static UserEvent FullWindowsPageView(bool nextMinute) => new()
    {
        EventId = "0b7f3a52-96f4-4b7e-8d55-0b1c2d3e4f50", Type = EventType.PageView, UserId = "user-0012345",
        Timestamp = nextMinute ? Now.AddMinutes(1) : Now.AddSeconds(-1), Url = "/",
    };
}
