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

    public static readonly Counter<long> Impressions = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.impressions", "{item}",
        "Items of served lists folded from the impressions topic");

    public static readonly Counter<long> ImpressionsLost = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.impressions.lost", "{list}",
        "Served lists the impressions topic did not take");

    public static readonly Counter<long> Clicks = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.clicks", "{event}",
        "Events naming a recommendation id, folded from the events topic");

    public static readonly Counter<long> TrainingRows = DmpMetrics.Meter.CreateCounter<long>("dmp.recommendations.training_rows", "{row}",
        "Labelled impression rows this node sent to the model coordinator");
}
