using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Sharding.External;
using Akka.Configuration;
using Config = Akka.Configuration.Config;
using Confluent.Kafka;
using DmpActors.Engine.Profiles;
using DmpActors.Kafka.Dsl;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Hosting;

/// <summary>
/// How user ids map to shards. The region applies it to every message — ingest, HTTP reads, merges naming another
/// user, the segment backfill — so each node must build the same one. Aligned with partitions, a user's shard is the
/// Kafka partition of the user's id (<see cref="KafkaPartitioner"/>), the partition the collector's producer writes
/// the user's events to; otherwise the id's hash modulo Dmp:Cluster:Shards.
/// </summary>
public sealed class UserMessageExtractor : HashCodeMessageExtractor
{
    private readonly string[] _shardIds;

    public UserMessageExtractor(int shards) : this(shards, byPartition: false) { }

    private UserMessageExtractor(int shards, bool byPartition) : base(shards)
    {
        ByPartition = byPartition;
        _shardIds = Enumerable.Range(0, shards).Select(ShardOf).ToArray();
    }

    /// <summary>One shard per partition of a topic with <paramref name="partitions"/> partitions.</summary>
    public static UserMessageExtractor AlignedWith(int partitions) => new(partitions, byPartition: true);

    public bool ByPartition { get; }
    public int Shards => MaxNumberOfShards;

    /// <summary>The shard id of partition <paramref name="partition"/> (and of the hash bucket of that number).</summary>
    public static string ShardOf(int partition) => partition.ToString(CultureInfo.InvariantCulture);

    public override string EntityId(object message) => message switch
    {
        IUserCommand command => command.UserId,
        _ => null!,
    };

    // The region asks this overload for every message (the message-only one is obsolete and unused by it).
    public override string ShardId(string entityId, object? messageHint = null) =>
        ByPartition ? _shardIds[KafkaPartitioner.PartitionOf(entityId, MaxNumberOfShards)] : base.ShardId(entityId, messageHint);
}

/// <summary>The user shards as Dmp:Sharding asks: the extractor, the allocation strategy and what Akka needs for them.</summary>
public sealed record UserSharding(UserMessageExtractor Extractor)
{
    public bool ByPartition => Extractor.ByPartition;

    /// <summary>Aligned: shards go where <see cref="Ingest.ShardPlacement"/> says (the node consuming the partition), or,
    /// before any consumer claimed one, to the node that first needs it.</summary>
    public IShardAllocationStrategy Strategy(ActorSystem system) => ByPartition
        ? new ExternalShardAllocationStrategy(system, DmpEngine.UserTypeName)
        : ShardAllocationStrategy.LeastShardAllocationStrategy(20, 0.1);

    /// <summary>Aligned shards follow a rebalance of the consumer group at the coordinator's next rebalance round: a
    /// short round keeps the time a moved partition's records cross the network short (the round only compares
    /// the claimed locations with the current ones).</summary>
    public static Config AkkaConfig(ShardingOptions sharding) => sharding.ByPartition
        ? ConfigurationFactory.ParseString("akka.cluster.sharding.rebalance-interval = 2s")
        : Config.Empty;

    public static UserSharding Plan(DmpOptions options, IProducer<byte[]?, byte[]> producer, ILogger log)
    {
        if (!options.Sharding.ByPartition) return new UserSharding(new UserMessageExtractor(options.Cluster.Shards));
        var topic = options.Kafka.EventsTopic;
        var partitions = PartitionCount(producer, topic, out var problem);
        if (partitions is null)
        {
            partitions = options.Kafka.Partitions;
            log.LogWarning("Could not read the partition count of {Topic} ({Problem}); user shards assume Dmp:Kafka:Partitions = {Partitions}",
                topic, problem, partitions);
        }
        log.LogInformation("User shards are aligned with the {Partitions} partitions of {Topic}", partitions, topic);
        return new UserSharding(UserMessageExtractor.AlignedWith(partitions.Value));
    }

    private static int? PartitionCount(IProducer<byte[]?, byte[]> producer, string topic, out string? problem)
    {
        problem = null;
        try
        {
            using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var found = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.FirstOrDefault();
                if (found is { Error.IsError: false, Partitions.Count: > 0 }) return found.Partitions.Count;
                problem = found?.Error.Reason ?? "not found";
                if (DateTime.UtcNow > deadline) return null;
                Thread.Sleep(200);
            }
        }
        catch (KafkaException e)
        {
            problem = e.Error.Reason;
            return null;
        }
    }
}
