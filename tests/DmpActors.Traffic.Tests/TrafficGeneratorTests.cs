using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DmpActors.Traffic.Catalogue;
using Xunit.Abstractions;

namespace DmpActors.Traffic.Tests;

public class TrafficGeneratorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static List<GeneratedEvent> Generate(TrafficOptions options, int count)
    {
        var generator = new TrafficGenerator(options);
        var events = new List<GeneratedEvent>(count);
        for (var i = 0; i < count; i++) events.Add(generator.Next(Start.AddMilliseconds(i)));
        return events;
    }

    [Fact]
    public void Same_seed_produces_byte_identical_streams()
    {
        var options = new TrafficOptions { Seed = 7, Users = 500, InvalidShare = 0.01 };

        var first = Generate(options, 20_000);
        var second = Generate(options, 20_000);

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Key, second[i].Key);
            Assert.Equal(first[i].Type, second[i].Type);
            Assert.Equal(first[i].EntityId, second[i].EntityId);
            Assert.True(first[i].Json.AsSpan().SequenceEqual(second[i].Json), $"event {i} differs");
        }
    }

    [Fact]
    public void Different_seeds_produce_different_streams()
    {
        var a = Generate(new TrafficOptions { Seed = 1, Users = 500 }, 1_000);
        var b = Generate(new TrafficOptions { Seed = 2, Users = 500 }, 1_000);

        var sameKeyAndType = a.Zip(b).Count(p => p.First.Key == p.Second.Key && p.First.Type == p.Second.Type);
        Assert.True(sameKeyAndType < 100, $"{sameKeyAndType} of 1000 events coincide");
    }

    [Fact]
    public void Every_event_parses_with_the_contract_fields_and_types()
    {
        var events = Generate(new TrafficOptions { Seed = 3, Users = 2_000 }, 50_000);
        var ids = new HashSet<string>();
        var seenTypes = new HashSet<string>();

        foreach (var e in events)
        {
            using var doc = JsonDocument.Parse(e.Json);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);

            var eventId = root.GetProperty("event_id").GetString()!;
            Assert.InRange(eventId.Length, 1, 128);
            Assert.True(ids.Add(eventId), $"duplicate event_id {eventId}");

            var type = root.GetProperty("type").GetString()!;
            Assert.Equal(e.Type, type);
            Assert.Contains(type, EventTypes.All);
            seenTypes.Add(type);

            var hasUser = root.TryGetProperty("user_id", out var userId);
            var hasAnonymous = root.TryGetProperty("anonymous_id", out var anonymousId);
            Assert.True(hasUser || hasAnonymous, "event carries neither user_id nor anonymous_id");
            if (hasUser) Assert.Equal(JsonValueKind.String, userId.ValueKind);
            if (hasAnonymous) Assert.Equal(JsonValueKind.String, anonymousId.ValueKind);

            var timestamp = root.GetProperty("timestamp").GetString()!;
            var parsed = DateTimeOffset.ParseExact(timestamp, "O", CultureInfo.InvariantCulture);
            Assert.Equal(TimeSpan.Zero, parsed.Offset);
            Assert.EndsWith("+00:00", timestamp);

            var properties = root.GetProperty("properties");
            Assert.Equal(JsonValueKind.Object, properties.ValueKind);
            AssertPropertiesMatchType(type, properties, root);
        }

        Assert.Equal(EventTypes.All.OrderBy(t => t), seenTypes.OrderBy(t => t));
    }

    private static void AssertPropertiesMatchType(string type, JsonElement properties, JsonElement root)
    {
        switch (type)
        {
            case EventTypes.PageView:
                Assert.StartsWith("https://", properties.GetProperty("url").GetString());
                break;
            case EventTypes.ProductView:
                AssertProduct(properties);
                break;
            case EventTypes.Search:
                Assert.False(string.IsNullOrWhiteSpace(properties.GetProperty("query").GetString()));
                break;
            case EventTypes.AddToCart or EventTypes.RemoveFromCart:
                AssertProduct(properties);
                Assert.InRange(properties.GetProperty("quantity").GetInt32(), 1, 3);
                break;
            case EventTypes.Purchase:
                Assert.False(string.IsNullOrEmpty(properties.GetProperty("order_id").GetString()));
                Assert.Equal("EUR", properties.GetProperty("currency").GetString());
                var items = properties.GetProperty("items");
                Assert.True(items.GetArrayLength() > 0);
                var sum = 0m;
                foreach (var item in items.EnumerateArray())
                {
                    AssertProduct(item);
                    sum += item.GetProperty("price").GetDecimal() * item.GetProperty("quantity").GetInt32();
                }
                Assert.Equal(sum, properties.GetProperty("revenue").GetDecimal());
                break;
            case EventTypes.Identify:
                Assert.Equal(JsonValueKind.String, root.GetProperty("user_id").ValueKind);
                Assert.Equal(JsonValueKind.String, root.GetProperty("anonymous_id").ValueKind);
                var traits = root.GetProperty("traits");
                Assert.Contains("@", traits.GetProperty("email").GetString());
                Assert.InRange(traits.GetProperty("age").GetInt32(), 18, 100);
                Assert.Equal(JsonValueKind.String, traits.GetProperty("city").ValueKind);
                Assert.Equal(JsonValueKind.String, traits.GetProperty("gender").ValueKind);
                break;
            case EventTypes.Alias:
                Assert.Equal(JsonValueKind.String, root.GetProperty("user_id").ValueKind);
                Assert.StartsWith("anon-", properties.GetProperty("previous_id").GetString());
                break;
            case EventTypes.Consent:
                var purposes = properties.GetProperty("purposes");
                foreach (var purpose in new[] { "analytics", "personalization", "marketing" })
                    Assert.True(purposes.GetProperty(purpose).ValueKind is JsonValueKind.True or JsonValueKind.False, purpose);
                break;
            case EventTypes.OfferImpression or EventTypes.OfferClick:
                Assert.StartsWith("camp-", properties.GetProperty("campaign_id").GetString());
                Assert.False(string.IsNullOrEmpty(properties.GetProperty("variant_id").GetString()));
                Assert.StartsWith("sku-", properties.GetProperty("item_id").GetString());
                break;
            case EventTypes.Custom:
                Assert.False(string.IsNullOrEmpty(properties.GetProperty("name").GetString()));
                break;
            default:
                Assert.Fail($"unexpected type {type}");
                break;
        }
    }

    private static void AssertProduct(JsonElement element)
    {
        Assert.StartsWith("sku-", element.GetProperty("item_id").GetString());
        Assert.False(string.IsNullOrEmpty(element.GetProperty("category").GetString()));
        Assert.Equal(JsonValueKind.Number, element.GetProperty("price").ValueKind);
        Assert.True(element.GetProperty("price").GetDecimal() > 0);
    }

    [Fact]
    public void Funnel_ratios_fall_in_plausible_ranges_over_100k_events()
    {
        var events = Generate(new TrafficOptions { Seed = 11, Users = 5_000 }, 100_000);
        var counts = events.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count());
        var sessions = events.Select(e => Session(e.Json)).GroupBy(s => s.SessionId).ToList();
        var sessionsWithCart = sessions.Count(g => g.Any(s => s.Type == EventTypes.AddToCart));
        var sessionsWithPurchase = sessions.Count(g => g.Any(s => s.Type == EventTypes.Purchase));

        var cartPerView = (double)counts[EventTypes.AddToCart] / counts[EventTypes.ProductView];
        var purchasePerCart = (double)sessionsWithPurchase / sessionsWithCart;

        Assert.InRange(cartPerView, 0.10, 0.30);
        Assert.InRange(purchasePerCart, 0.15, 0.45);
        Assert.InRange((double)counts[EventTypes.Search] / events.Count, 0.03, 0.2);
        Assert.True(counts[EventTypes.OfferClick] < counts[EventTypes.OfferImpression]);
        Assert.True(counts[EventTypes.Identify] > 0);
    }

    private static (string SessionId, string Type) Session(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        return (doc.RootElement.GetProperty("properties").GetProperty("session_id").GetString()!,
            doc.RootElement.GetProperty("type").GetString()!);
    }

    [Fact]
    public void Popular_items_get_more_views_than_the_tail()
    {
        var events = Generate(new TrafficOptions { Seed = 5, Users = 2_000, ItemsPerCategory = 100 }, 100_000);
        var rankCounts = new int[100];
        foreach (var e in events.Where(e => e.Type == EventTypes.ProductView))
        {
            using var doc = JsonDocument.Parse(e.Json);
            var itemId = doc.RootElement.GetProperty("properties").GetProperty("item_id").GetString()!;
            rankCounts[int.Parse(itemId[^5..], CultureInfo.InvariantCulture)]++;
        }

        var head = rankCounts.Take(10).Sum();
        var tail = rankCounts.Skip(50).Sum();
        Assert.True(head > tail, $"top 10 items: {head} views, bottom 50: {tail}");
        Assert.True(rankCounts[0] > 5 * rankCounts[49], $"rank 1: {rankCounts[0]}, rank 50: {rankCounts[49]}");
    }

    [Fact]
    public void Zipf_sampler_matches_its_distribution()
    {
        var sampler = new ZipfSampler(50, 1.1);
        var random = new Random(1);
        var counts = new int[50];
        const int draws = 200_000;
        for (var i = 0; i < draws; i++) counts[sampler.Sample(random)]++;

        Assert.Equal(1.0, Enumerable.Range(0, 50).Sum(sampler.Probability), 9);
        Assert.Equal(sampler.Probability(0), counts[0] / (double)draws, 2);
        Assert.Equal(sampler.Probability(9), counts[9] / (double)draws, 2);
        Assert.True(counts[0] > counts[1] && counts[1] > counts[10]);
    }

    [Fact]
    public void Key_is_user_id_when_present_else_anonymous_id()
    {
        var events = Generate(new TrafficOptions { Seed = 9, Users = 1_000, AnonymousShare = 0.5 }, 30_000);
        var anonymousKeys = 0;
        foreach (var e in events)
        {
            using var doc = JsonDocument.Parse(e.Json);
            var root = doc.RootElement;
            if (root.TryGetProperty("user_id", out var userId))
            {
                Assert.Equal(userId.GetString(), e.Key);
                Assert.Equal(userId.GetString(), e.EntityId);
            }
            else
            {
                Assert.Equal(root.GetProperty("anonymous_id").GetString(), e.Key);
                anonymousKeys++;
            }
        }
        Assert.True(anonymousKeys > 0, "no anonymous traffic with AnonymousShare = 0.5");
    }

    [Fact]
    public void Anonymous_users_keep_their_user_id_after_identify()
    {
        var events = Generate(new TrafficOptions { Seed = 13, Users = 300, AnonymousShare = 1.0, IdentifyProbability = 0.2 }, 30_000);

        var identifiedAt = new Dictionary<string, int>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Type == EventTypes.Identify)
            {
                identifiedAt.TryAdd(e.EntityId, i);
                Assert.Equal(e.EntityId, e.Key);
            }
            else if (identifiedAt.ContainsKey(e.EntityId))
            {
                Assert.Equal(e.EntityId, e.Key);
            }
            else
            {
                Assert.StartsWith("anon-", e.Key);
            }
        }
        Assert.True(identifiedAt.Count > 100, $"only {identifiedAt.Count} of 300 anonymous users identified");
    }

    [Fact]
    public void Invalid_share_produces_each_kind_of_bad_event_at_about_the_requested_rate()
    {
        var events = Generate(new TrafficOptions { Seed = 17, Users = 1_000, InvalidShare = 0.05 }, 40_000);
        var invalid = events.Where(e => e.IsDeliberatelyInvalid).ToList();

        Assert.InRange(invalid.Count / (double)events.Count, 0.04, 0.06);
        foreach (var e in invalid)
        {
            switch (e.Type)
            {
                case GeneratedEvent.MalformedJson:
                    Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(e.Json));
                    break;
                case GeneratedEvent.UnknownType:
                    using (var doc = JsonDocument.Parse(e.Json))
                        Assert.DoesNotContain(doc.RootElement.GetProperty("type").GetString(), EventTypes.All);
                    break;
                case GeneratedEvent.MissingIds:
                    using (var doc = JsonDocument.Parse(e.Json))
                    {
                        Assert.False(doc.RootElement.TryGetProperty("user_id", out _));
                        Assert.False(doc.RootElement.TryGetProperty("anonymous_id", out _));
                        Assert.Equal("", e.Key);
                    }
                    break;
                default:
                    Assert.Fail($"unexpected invalid type {e.Type}");
                    break;
            }
        }
        Assert.Equal(3, invalid.Select(e => e.Type).Distinct().Count());
        Assert.DoesNotContain(events, e => !e.IsDeliberatelyInvalid && e.Type.StartsWith("invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void Users_home_category_dominates_their_product_views()
    {
        var generator = new TrafficGenerator(new TrafficOptions { Seed = 21, Users = 200 });
        var truth = generator.GroundTruth().Users.ToDictionary(t => t.EntityId, t => t.HomeCategory);
        int home = 0, total = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var e = generator.Next(Start);
            if (e.Type != EventTypes.ProductView) continue;
            using var doc = JsonDocument.Parse(e.Json);
            total++;
            if (doc.RootElement.GetProperty("properties").GetProperty("category").GetString() == truth[e.EntityId]) home++;
        }
        // 75 % affinity plus 1/20 of the rest.
        Assert.InRange(home / (double)total, 0.70, 0.85);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrafficGenerator(new TrafficOptions { AddToCartProbability = 1.5 }));
        Assert.Contains(nameof(TrafficOptions.AddToCartProbability), error.Message);
        Assert.Throws<ArgumentException>(() => new TrafficGenerator(new TrafficOptions { Users = 0 }));
    }

    [Fact]
    public void A_single_user_population_still_generates()
    {
        var events = Generate(new TrafficOptions { Users = 1, ConcurrentSessions = 10 }, 1_000);
        Assert.All(events, e => Assert.Equal("u0000000", e.EntityId));
    }

    [Fact]
    [Trait("Category", "Bench")]
    public void Generates_at_least_300k_events_per_second_on_one_core()
    {
        var generator = new TrafficGenerator(new TrafficOptions { Users = 100_000 });
        for (var i = 0; i < 50_000; i++) generator.Next(Start);
        const int count = 1_000_000;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) generator.Next(Start.AddTicks(i));
        var rate = count / stopwatch.Elapsed.TotalSeconds;
        output.WriteLine($"{rate:N0} events/s");
        Assert.True(rate >= 300_000, $"{rate:N0} events/s");
    }
}
