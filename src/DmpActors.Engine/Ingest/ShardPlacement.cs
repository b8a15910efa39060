using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding.External;
using Confluent.Kafka;
using DmpActors.Engine.Hosting;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Partition-aligned shards: when the consumer group assigns partitions of the events topic to this node, their shards
/// are placed on this node (Akka's external shard allocation, a replicated map the coordinator reads). The coordinator
/// moves each shard at its next rebalance round — the old host's entities save and stop, the next message starts them
/// here — so a partition and its users move together. Until then this node's records reach the old host over the
/// network; the acknowledgement and checkpoint rules (docs/cluster.md, "When users move") count each event once
/// whenever the move happens.
/// </summary>
public sealed class ShardPlacement
{
    private readonly IExternalShardAllocationClient _client;
    private readonly Address _self;
    private readonly string _topic;
    private readonly int _shards;
    private readonly ILogger _log;
    private int _warnedBeyond;

    public ShardPlacement(ActorSystem system, string topic, int shards, ILogger log)
    {
        _client = ExternalShardAllocation.Get(system).ClientFor(DmpEngine.UserTypeName);
        _self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        _topic = topic;
        _shards = shards;
        _log = log;
    }

    /// <summary>Raised once the replicated locations say these shards belong here (tests, metrics).</summary>
    public event Action<IReadOnlyCollection<string>>? Claimed;

    /// <summary>Called on the consumer's poll thread: records the claim and returns at once.</summary>
    public void OnAssigned(IReadOnlyList<TopicPartition> partitions)
    {
        var locations = ImmutableDictionary.CreateBuilder<string, Address>();
        foreach (var tp in partitions)
        {
            if (tp.Topic != _topic) continue;
            if (tp.Partition.Value < _shards) locations[UserMessageExtractor.ShardOf(tp.Partition.Value)] = _self;
            else if (Interlocked.Exchange(ref _warnedBeyond, 1) == 0)
                _log.LogWarning("Partition {Partition} of {Topic} has no user shard: the topic has more partitions than the {Shards} the cluster's "
                    + "shards were aligned with at start. Its records reach their users' shards over the network until the whole cluster restarts",
                    tp.Partition.Value, _topic, _shards);
        }
        if (locations.Count == 0) return;
        var claim = locations.ToImmutable();
        _client.UpdateShardLocations(claim).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                _log.LogInformation("User shards {Shards} placed on {Node}", string.Join(", ", claim.Keys.Order()), _self);
                Claimed?.Invoke(claim.Keys.ToArray());
            }
            else
                // The shards then stay where they are (records cross the network) until a later assignment claims them.
                _log.LogWarning(t.Exception?.GetBaseException(), "Could not place user shards {Shards} on {Node}", string.Join(", ", claim.Keys), _self);
        }, TaskScheduler.Default);
    }
}
