using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Recommendations;

public static class RecommendationMetrics
{
    public static readonly Counter<long> Served = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.served", "{list}",
        "Recommendation lists answered, by personalized (true/false)");

    public static readonly Histogram<double> FeedDelay = DmpMetrics.Meter.CreateHistogram<double>("dmp.recommendations.feed.delay", "ms",
        "From an event's record time to its being folded into the item statistics");

    public static readonly Counter<long> FeedEvents = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.feed.events", "{event}",
        "Events folded into the item statistics");
}
