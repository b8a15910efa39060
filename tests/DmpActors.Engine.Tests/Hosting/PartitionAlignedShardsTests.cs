using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Sharding.External;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;
using DmpActors.Kafka.Dsl;

namespace DmpActors.Engine.Tests.Hosting;

/// <summary>Dmp:Sharding:Allocation = partition (the default) on one node: shard id = the Kafka partition of the user id.</summary>
public sealed class PartitionAlignedShardsTests
{
    private const int Partitions = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_consumed_record_s_user_lives_in_the_shard_of_the_record_s_partition_on_the_consuming_node()
    {
        // Given one engine over a topic with four partitions
        await using var harness = new EngineHarness(Partitions);
        await using var engine = await harness.StartEngineAsync();
        var self = Akka.Cluster.Cluster.Get(engine.System).SelfAddress;

        // When 80 users' events are produced with Kafka's default partitioner (as the collector does)
        var partitionOf = new Dictionary<string, int>();
        for (var u = 0; u < 80; u++)
        {
            var delivered = await harness.ProduceAsync($"aligned-{u}", TestEvents.PageView($"al-{u}", $"aligned-{u}"));
            partitionOf[$"aligned-{u}"] = delivered.Partition.Value;
        }
        await harness.WaitUntilCommittedToEndAsync(engine, Partitions);

        // Then the consumer owns every partition, the ingest placed each partition's shard on this node...
        Assert.Equal([0, 1, 2, 3], engine.Ingest!.Status.AssignedPartitions);
        var client = ExternalShardAllocation.Get(engine.System).ClientFor(DmpEngine.UserTypeName);
        await Eventually.True(async () =>
        {
            var locations = (await client.ShardLocations()).Locations;
            return locations.Count == Partitions && locations.All(l => l.Value.Address.Equals(self));
        }, Patience, "the ingest to place the four shards on this node");

        // ...and the region hosts each user in the shard named by the partition its record was consumed from
        var hosted = await HostedShards(engine);
        Assert.Equal(80, hosted.Count);
        Assert.All(partitionOf, user => Assert.Equal(UserMessageExtractor.ShardOf(user.Value), hosted[user.Key]));
        Assert.Equal(Partitions, partitionOf.Values.Distinct().Count());
    }

    [Fact]
    public async Task A_user_read_before_any_event_and_a_record_keyed_by_another_id_use_the_same_shard_function()
    {
        // Given one engine over four partitions
        await using var harness = new EngineHarness(Partitions);
        await using var engine = await harness.StartEngineAsync();

        // When a profile is read that no event created, and an event for "keyed-elsewhere" is keyed by an id of another partition
        await engine.GetProfileAsync("read-first", TimeSpan.FromSeconds(10));
        var own = KafkaPartitioner.PartitionOf("keyed-elsewhere", Partitions);
        var otherKey = Enumerable.Range(0, 100).Select(i => $"other-{i}").First(k => KafkaPartitioner.PartitionOf(k, Partitions) != own);
        var delivered = await harness.ProduceAsync(otherKey, TestEvents.PageView("ke-1", "keyed-elsewhere"));
        await harness.WaitUntilCommittedToEndAsync(engine, Partitions);

        // Then both users live in the shard of their own id's partition, whatever partition the record came from
        var hosted = await HostedShards(engine);
        Assert.Equal(UserMessageExtractor.ShardOf(KafkaPartitioner.PartitionOf("read-first", Partitions)), hosted["read-first"]);
        Assert.Equal(UserMessageExtractor.ShardOf(KafkaPartitioner.PartitionOf("keyed-elsewhere", Partitions)), hosted["keyed-elsewhere"]);
        Assert.NotEqual(own, delivered.Partition.Value);
        var profile = await engine.GetProfileAsync("keyed-elsewhere", TimeSpan.FromSeconds(10));
        Assert.Equal(1, profile!.EventsApplied);
    }

    [Fact]
    public void An_unknown_allocation_is_refused_at_start_naming_the_key()
    {
        var options = new DmpOptions { Sharding = { Allocation = "nearest" } };

        Assert.Contains("Dmp:Sharding:Allocation: must be 'partition' or 'default', got 'nearest'", options.Validate());
    }

    private static async Task<Dictionary<string, string>> HostedShards(DmpEngine engine)
    {
        var state = await engine.Users.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.SelectMany(s => s.EntityIds.Select(id => (id, s.ShardId))).ToDictionary(x => x.id, x => x.ShardId);
    }
}
