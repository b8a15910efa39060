using Akka.Actor;
using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Models;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Recommendations;

/// <summary>Starts a node's recommender: the catalogue store beside the profile store, then the statistics feed.</summary>
internal static class RecommendationsStartup
{
    private static readonly TimeSpan ProfileTimeout = TimeSpan.FromSeconds(5);

    public static async Task<RecommendationService> StartAsync(DmpEngine engine, string bootstrapServers, ILoggerFactory loggers,
        TimeProvider clock, CancellationToken ct)
    {
        var options = engine.Options;
        var recs = options.Recommendations;
        var service = new RecommendationService(CatalogueStoreFactory.Create(options.Storage), recs, options.Profiles.ToRules(),
            engine.ProfileClock, (id, token) => engine.GetProfileAsync(id, ProfileTimeout, token), loggers.CreateLogger<RecommendationService>());
        await service.StartAsync(ct);
        var self = Akka.Cluster.Cluster.Get(engine.System).SelfAddress; // the bound port, also when Node:Port is 0
        var node = $"{self.Host}-{self.Port}";
        var consumer = new ConsumerSettings(bootstrapServers, $"{recs.GroupPrefix}-{node}")
            .WithClientId($"dmp-items-{node}");
        var models = engine.Models;
        service.Connect(new CtrLoop(engine.Producer, recs.Ctr.ImpressionsTopic, node,
            rows => models.Coordinator.Tell(new OfferCtrRows(rows)), models.Registry));
        var impressions = new ConsumerSettings(bootstrapServers, $"{recs.GroupPrefix}-impressions-{node}")
            .WithClientId($"dmp-impressions-{node}");
        service.ImpressionFeed = ItemStatisticsFeed.Start(engine.System, impressions, recs.Ctr.ImpressionsTopic, recs.FeedBatch,
            record => record.Message.Value is { } value ? ImpressionCodec.TryDecode(value) : null, service.FoldImpressions,
            loggers.CreateLogger<ItemStatisticsFeed>());
        service.Feed = ItemStatisticsFeed.Start(engine.System, consumer, options.Kafka.EventsTopic, recs.FeedBatch, service.Fold, clock,
            loggers.CreateLogger<ItemStatisticsFeed>());
        return service;
    }
}
