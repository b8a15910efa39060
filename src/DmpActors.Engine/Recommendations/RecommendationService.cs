using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Recommendations;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Recommendations;

/// <summary>What a request asks beyond the user: how many, the item on the page, the slot, and the filters it sets.</summary>
public sealed record RecommendationQuery(int Count = 10, string? ContextItem = null, string? Slot = null, bool ExcludeBought = true,
    int? MaxPerCategory = null);

/// <summary>A served list: its id (for impressions and clicks to refer to), the slot, and the ranked items.</summary>
public sealed record ServedRecommendation(string RecommendationId, string UserId, string? Slot, DateTimeOffset At, Recommendation List)
{
    /// <summary>The CTR model version that ordered the list (null: the blend's order).</summary>
    public int? CtrVersion { get; init; }
}

/// <summary>An item's statistics as the recommender holds them now.</summary>
public sealed record ItemStatisticsView(string ItemId, long Baskets, long Sessions, double Popularity, double Trending,
    IReadOnlyList<AssociationRule> CoBought, IReadOnlyList<AssociationRule> CoViewed, IReadOnlyList<ItemScore> Similar);

/// <summary>
/// The recommender of one node: the catalogue (in memory, backed by <see cref="ICatalogueStore"/>), the item
/// statistics the feed keeps, and the blend over the user's live profile. One lock guards the statistics: the feed
/// folds a batch under it, a request blends under it (tens of microseconds, docs/benchmarks.md).
/// </summary>
public sealed partial class RecommendationService : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly ItemStatistics _stats;
    private readonly ICatalogueStore _store;
    private readonly RecommendationOptions _options;
    private readonly BlendWeights _weights;
    private readonly TimeProvider _clock;
    private readonly ProfileRules _rules;
    private readonly Func<string, CancellationToken, Task<UserProfile?>> _profiles;
    private readonly ILogger _log;
    private readonly List<CatalogueItem> _learned = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _flushing = Task.CompletedTask;

    public RecommendationService(ICatalogueStore store, RecommendationOptions options, ProfileRules rules, TimeProvider clock,
        Func<string, CancellationToken, Task<UserProfile?>> profiles, ILogger log)
    {
        _store = store;
        _options = options;
        _weights = options.ToWeights();
        _rules = rules;
        _clock = clock;
        _profiles = profiles;
        _log = log;
        _stats = new ItemStatistics(options.ToStatistics());
    }

    public ItemStatisticsFeed? Feed { get; set; }

    /// <summary>The feed of served lists (the impressions topic).</summary>
    public ItemStatisticsFeed? ImpressionFeed { get; set; }

    public ICatalogueStore Store => _store;

    /// <summary>Creates the table, loads the catalogue into memory and starts writing learned items behind.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        await _store.InitializeAsync(ct);
        string? after = null;
        while (true)
        {
            var page = await _store.ListAsync(after, 1_000, ct);
            if (page.Count == 0) break;
            lock (_gate)
            {
                foreach (var item in page) _stats.Catalogue.Put(item);
            }

            after = page[^1].Id;
        }

        _flushing = FlushLearnedAsync(_stop.Token);
        _log.LogInformation("Recommendations: {Items} catalogue items loaded", _stats.Catalogue.Count);
    }

    /// <summary>Folds a batch of events from the feed.</summary>
    public void Fold(IReadOnlyList<(UserEvent Event, long RecordUnixMs)> events)
    {
        lock (_gate)
        {
            foreach (var (e, _) in events)
            {
                var learned = _stats.Apply(e);
                if (learned.Count > 0) _learned.AddRange(learned);
            }
        }

        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (_, ms) in events)
        {
            if (ms > 0) RecommendationMetrics.FeedDelay.Record(Math.Max(0, now - ms));
        }

        RecommendationMetrics.FeedEvents.Add(events.Count);
        FoldClicks(events);
    }

    /// <summary>Writes catalogue entries (the shop's: never marked learned) durably, then serves them.</summary>
    public async Task PutAsync(IReadOnlyList<CatalogueItem> items, CancellationToken ct = default)
    {
        var stamped = items.Select(i => i with { Learned = false, UpdatedAt = i.UpdatedAt ?? _clock.GetUtcNow() }).ToArray();
        await _store.PutAsync(stamped, ct);
        lock (_gate)
        {
            foreach (var item in stamped) _stats.Catalogue.Put(item);
        }
    }

    public CatalogueItem? Find(string id)
    {
        lock (_gate) return _stats.Catalogue.Find(id);
    }

    public long CatalogueCount
    {
        get { lock (_gate) return _stats.Catalogue.Count; }
    }

    public long EventsFolded
    {
        get { lock (_gate) return _stats.EventsApplied; }
    }

    public ItemStatisticsView Statistics(string itemId, int top = 10)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return new ItemStatisticsView(itemId, _stats.CoBought.CountOf(itemId), _stats.CoViewed.CountOf(itemId),
                _stats.Popularity.PopularityOf(itemId), _stats.Popularity.TrendingOf(itemId, now),
                _stats.CoBought.RulesFrom(itemId, top), _stats.CoViewed.RulesFrom(itemId, top),
                _stats.Catalogue.Content.NeighboursOf(itemId).Take(top).ToArray());
        }
    }

    /// <summary>Recommends for <paramref name="userId"/> from their live profile (read-your-writes: asked of the entity).</summary>
    public async Task<ServedRecommendation> RecommendAsync(string userId, RecommendationQuery query, CancellationToken ct = default)
    {
        var profile = await _profiles(userId, ct);
        var now = _clock.GetUtcNow();
        var count = Math.Clamp(query.Count, 1, _options.MaxCount);
        // With a CTR model live the blend proposes a larger pool, and the model picks the list from it.
        var pool = _loop?.Models?.ActiveVersion(Ml.Training.ModelNames.Ctr) is null ? count : count * _options.Ctr.RerankPool;
        var (fatigued, slotWeek) = CtrBefore(userId, string.IsNullOrEmpty(query.Slot) ? ImpressionCodec.DefaultSlot : query.Slot, now);
        Recommendation list;
        float[][] features;
        lock (_gate)
        {
            var request = RecommendationRequest.ForProfile(profile, now, _rules, _stats.Sessions.BoughtBy(userId));
            request = request with
            {
                Count = pool,
                ContextItem = query.ContextItem,
                Slot = query.Slot,
                ExcludeBought = query.ExcludeBought,
                MaxPerCategory = query.MaxPerCategory,
                Fatigued = request.Personalization ? fatigued : request.Fatigued,
            };
            list = HybridRecommender.Recommend(request, _stats, _weights);
            features = Features(list, request, slotWeek);
        }

        var (items, version) = Rank(list, features, count);
        RecommendationMetrics.Served.Add(1, new KeyValuePair<string, object?>("personalized", list.Personalized));
        var served = new ServedRecommendation("rec-" + Guid.NewGuid().ToString("N"), userId, query.Slot, now,
            list with { Items = items.Select(i => i.Item).ToArray() }) { CtrVersion = version };
        LogImpression(served, items.Select(i => i.Features).ToArray());
        return served;
    }

    private async Task FlushLearnedAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.LearnedFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await FlushOnceAsync(ct);
                AdvanceClicks();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task FlushOnceAsync(CancellationToken ct)
    {
        CatalogueItem[] batch;
        lock (_gate)
        {
            if (_learned.Count == 0) return;
            batch = _learned.GroupBy(i => i.Id).Select(g => g.Last()).ToArray();
            _learned.Clear();
        }

        try
        {
            await _store.PutAsync(batch, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Learned items are taught again by the log on the next start; a lost write costs nothing durable.
            _log.LogWarning(ex, "Could not store {Count} learned catalogue items", batch.Length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Feed is { } feed) await feed.DisposeAsync();
        if (ImpressionFeed is { } impressions) await impressions.DisposeAsync();
        await _stop.CancelAsync();
        await _flushing;
        await FlushOnceAsync(CancellationToken.None);
        await _store.DisposeAsync();
    }
}
