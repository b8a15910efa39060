namespace DmpActors.Engine.Hosting;

/// <summary>Where the user shards live (Dmp:Sharding; docs/cluster.md#partition-aligned-shards).</summary>
public sealed class ShardingOptions
{
    public const string Partition = "partition";
    public const string Default = "default";

    /// <summary>
    /// <c>partition</c>: a user's shard is the Kafka partition of the user's id (Kafka's murmur2 partitioner over the
    /// events topic's partition count), and each shard lives on the node whose consumer owns that partition, so ingest
    /// reaches its entities without a network hop. <c>default</c>: the ids hash into Dmp:Cluster:Shards shards that
    /// Akka's least-shard allocation spreads over the nodes, independent of the partitions.
    /// </summary>
    public string Allocation { get; set; } = Partition;

    public bool ByPartition => Allocation.Equals(Partition, StringComparison.OrdinalIgnoreCase);

    public void Validate(OptionsProblems problems) =>
        problems.Check(ByPartition || Allocation.Equals(Default, StringComparison.OrdinalIgnoreCase), "Allocation",
            $"must be '{Partition}' or '{Default}', got '{Allocation}'");
}
