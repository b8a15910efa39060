using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Recommendations;

/// <summary>Dmp:Recommendations: the blend's weights, the statistics' bounds, and the feed that keeps them.</summary>
public sealed class RecommendationOptions
{
    /// <summary>Keep item statistics from the event stream and serve recommendations.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Each node reads the whole events topic under its own group, <c>{GroupPrefix}-{host}-{port}</c>.</summary>
    public string GroupPrefix { get; set; } = "dmp-items";

    /// <summary>Events folded into the statistics per lock taken.</summary>
    public int FeedBatch { get; set; } = 500;

    /// <summary>Learned items are written to the catalogue store at most this often.</summary>
    public TimeSpan LearnedFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most items a request may ask for.</summary>
    public int MaxCount { get; set; } = 100;

    public WeightOptions Weights { get; set; } = new();

    public CtrSettings Ctr { get; set; } = new();

    /// <summary>Dmp:Recommendations:Ctr: the impression → click loop and the CTR re-rank.</summary>
    public sealed class CtrSettings
    {
        /// <summary>Served lists are logged to this topic, one record per list.</summary>
        public string ImpressionsTopic { get; set; } = "dmp.impressions";

        /// <summary>A click counts for its list when it comes at most this long after it (the training label's horizon).</summary>
        public TimeSpan ClickWindow { get; set; } = CtrOptions.Default.ClickWindow;

        /// <summary>An item shown to a user this many times without a click is left out of their lists (0: never).</summary>
        public int FatigueImpressions { get; set; } = CtrOptions.Default.FatigueImpressions;

        /// <summary>Served lists waiting for clicks at most (the oldest stops waiting early past it).</summary>
        public int MaxOpenImpressions { get; set; } = CtrOptions.Default.MaxOpenImpressions;

        /// <summary>With a CTR model live, the blend proposes this many times the asked count and the model picks.</summary>
        public int RerankPool { get; set; } = 3;

        public CtrOptions ToOptions() => CtrOptions.Default with
        {
            ClickWindow = ClickWindow, FatigueImpressions = FatigueImpressions, MaxOpenImpressions = MaxOpenImpressions,
        };
    }

    public int MaxItems { get; set; } = CoOccurrenceBounds.Default.MaxItems;
    public int MaxNeighbours { get; set; } = CoOccurrenceBounds.Default.MaxNeighbours;
    public int MaxSessionUsers { get; set; } = SessionOptions.Default.MaxUsers;
    public TimeSpan SessionGap { get; set; } = SessionOptions.Default.SessionGap;
    public TimeSpan TrendingWindow { get; set; } = PopularityOptions.Default.TrendingWindow;

    /// <summary>Top lists (trending, popular) are recomputed at most this often.</summary>
    public TimeSpan TopListRefresh { get; set; } = PopularityOptions.Default.TopListRefresh;

    public sealed class WeightOptions
    {
        public double CoBought { get; set; } = BlendWeights.Default.CoBought;
        public double CoViewed { get; set; } = BlendWeights.Default.CoViewed;
        public double Similar { get; set; } = BlendWeights.Default.Similar;
        public double Category { get; set; } = BlendWeights.Default.Category;
        public double Trending { get; set; } = BlendWeights.Default.Trending;
        public double Popular { get; set; } = BlendWeights.Default.Popular;
        public int MaxPerCategory { get; set; } = BlendWeights.Default.MaxPerCategory;
    }

    public BlendWeights ToWeights() => BlendWeights.Default with
    {
        CoBought = Weights.CoBought, CoViewed = Weights.CoViewed, Similar = Weights.Similar, Category = Weights.Category,
        Trending = Weights.Trending, Popular = Weights.Popular, MaxPerCategory = Weights.MaxPerCategory,
    };

    public ItemStatisticsOptions ToStatistics() => new()
    {
        CoOccurrence = new CoOccurrenceBounds(MaxItems, MaxNeighbours),
        Popularity = PopularityOptions.Default with { TrendingWindow = TrendingWindow, TopListRefresh = TopListRefresh, MaxItems = MaxItems * 2 },
        Sessions = SessionOptions.Default with { MaxUsers = MaxSessionUsers, SessionGap = SessionGap },
    };

    public void Validate(OptionsProblems problems)
    {
        foreach (var (key, problem) in ToWeights().Validate()) problems.Add($"Weights:{key}", problem);
        problems.Check(!string.IsNullOrWhiteSpace(GroupPrefix), "GroupPrefix", "must not be empty");
        problems.Check(FeedBatch is >= 1 and <= 100_000, "FeedBatch", $"must be 1..100000, got {FeedBatch}");
        problems.Check(MaxCount is >= 1 and <= 1_000, "MaxCount", $"must be 1..1000, got {MaxCount}");
        problems.Check(MaxItems is >= 10 and <= 10_000_000, "MaxItems", $"must be 10..10000000, got {MaxItems}");
        problems.Check(MaxNeighbours is >= 1 and <= 1_000, "MaxNeighbours", $"must be 1..1000, got {MaxNeighbours}");
        problems.Check(MaxSessionUsers >= 1, "MaxSessionUsers", "must be at least 1");
        problems.Check(SessionGap > TimeSpan.Zero, "SessionGap", "must be positive");
        problems.Check(TrendingWindow >= TimeSpan.FromMinutes(1), "TrendingWindow", "must be at least 00:01:00");
        problems.Check(TopListRefresh >= TimeSpan.Zero, "TopListRefresh", "must not be negative");
        problems.Check(!string.IsNullOrWhiteSpace(Ctr.ImpressionsTopic), "Ctr:ImpressionsTopic", "must not be empty");
        problems.Check(Ctr.ClickWindow > TimeSpan.Zero, "Ctr:ClickWindow", "must be positive");
        problems.Check(Ctr.FatigueImpressions >= 0, "Ctr:FatigueImpressions", "must not be negative");
        problems.Check(Ctr.MaxOpenImpressions >= 1, "Ctr:MaxOpenImpressions", "must be at least 1");
        problems.Check(Ctr.RerankPool is >= 1 and <= 10, "Ctr:RerankPool", $"must be 1..10, got {Ctr.RerankPool}");
        problems.Check(LearnedFlushInterval > TimeSpan.Zero, "LearnedFlushInterval", "must be positive");
    }
}
