using BenchmarkDotNet.Attributes;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Recommendations;

namespace DmpActors.Benchmarks.Micro;

/// <summary>
/// The pure hybrid blend over statistics of 10,000 items (200 categories) learned from 100,000 two-to-four-item baskets
/// and 300,000 views in sessions: a returning user (context item, 10 recent views, affinities), a new user
/// (trending and popular only) and a personalization denial (popular only).
/// </summary>
[ShortRunJob, MemoryDiagnoser]
public class RecommendationBenchmarks : MicroBase
{
    private const int Items = 10_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private ItemStatistics _stats = null!;
    private RecommendationRequest _returning = null!;
    private RecommendationRequest _new = null!;
    private RecommendationRequest _denied = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        int Zipf() => (int)Math.Min(Items - 1, Math.Floor(Math.Pow(random.NextDouble(), 3) * Items));
        _stats = new ItemStatistics();
        string[] words = ["red", "blue", "trail", "running", "leather", "classic", "pro", "mini", "smart", "wool", "cotton", "steel"];
        for (var i = 0; i < Items; i++)
            _stats.Catalogue.Put(new CatalogueItem
            {
                Id = $"sku-{i}", Title = $"{words[i % 12]} {words[i / 12 % 12]} item {i}", Category = $"cat-{i % 200}", Tags = [words[i % 7]],
                Available = i % 50 != 0,
            });
        for (var n = 0; n < 400_000; n++)
        {
            var at = T0.AddSeconds(n);
            var user = $"u{n % 20_000}";
            _stats.Apply(n % 4 == 3
                ? new UserEvent
                {
                    EventId = $"p{n}", Type = EventType.Purchase, UserId = user, Timestamp = at, OrderId = $"o{n}",
                    Items = Enumerable.Range(0, 2 + n % 3).Select(_ => new LineItem($"sku-{Zipf()}", null, 1, 1)).ToArray(),
                }
                : new UserEvent { EventId = $"v{n}", Type = EventType.ProductView, UserId = user, Timestamp = at, ItemId = $"sku-{Zipf()}" });
        }

        var now = T0.AddSeconds(400_000);
        _returning = new RecommendationRequest
        {
            Now = now, ContextItem = "sku-17", RecentlyViewed = Enumerable.Range(0, 10).Select(i => $"sku-{i * 31}").ToArray(),
            ItemAffinities = Enumerable.Range(0, 10).Select(i => new AffinityScore($"sku-{i * 7}", 10 - i)).ToArray(),
            CategoryAffinities = Enumerable.Range(0, 5).Select(i => new AffinityScore($"cat-{i}", 5 - i)).ToArray(),
            Bought = new HashSet<string> { "sku-1", "sku-2" },
        };
        _new = new RecommendationRequest { Now = now };
        _denied = new RecommendationRequest { Now = now, Personalization = false };
        HybridRecommender.Recommend(_returning, _stats); // fill the neighbour caches and top lists as a live node has them
    }

    [Benchmark(Description = "Recommend: returning user (context, 10 views, affinities)")]
    public int ReturningUser() => HybridRecommender.Recommend(_returning, _stats).Items.Count;

    [Benchmark(Description = "Recommend: new user (trending + popular)")]
    public int NewUser() => HybridRecommender.Recommend(_new, _stats).Items.Count;

    [Benchmark(Description = "Recommend: personalization denied (popular only)")]
    public int Denied() => HybridRecommender.Recommend(_denied, _stats).Items.Count;
}
