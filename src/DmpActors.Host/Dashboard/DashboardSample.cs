using DmpActors.Engine.Admin;

namespace DmpActors.Host.Dashboard;

/// <summary>One second of the stream and the cluster as GET /v1/stream/dashboard sends it (docs/dashboard.md).</summary>
public sealed record DashboardSample(
    DateTimeOffset At,
    double ConsumedPerSecond,
    double AppliedPerSecond,
    double RejectedPerSecond,
    IReadOnlyDictionary<string, double> RejectedByReason,
    long ConsumedTotal,
    long AppliedTotal,
    IReadOnlyDictionary<string, long> RejectedTotal,
    IReadOnlyList<PartitionLagSample> Lag,
    CheckpointSample Checkpoint,
    bool? IngestRunning,
    ClusterSample? Cluster,
    IReadOnlyList<SegmentChangeSample> SegmentChanges,
    RecommendationSample Recommendations);

public sealed record PartitionLagSample(int Partition, long Lag);

/// <param name="AgeSeconds">Since the last completed checkpoint; null before the first.</param>
/// <param name="LastDurationMs">How long the last checkpoint took until its profiles were durable.</param>
/// <param name="Completed">Checkpoints completed since the node started.</param>
public sealed record CheckpointSample(double? AgeSeconds, double? LastDurationMs, long Completed);

/// <param name="SingletonNode">The oldest Up member: where cluster singletons run.</param>
public sealed record ClusterSample(string Self, string? Leader, string? SingletonNode, IReadOnlyList<NodeSample> Nodes);

/// <param name="Shards">User shards the node hosts; null until the first shard statistics arrive (or when they fail).</param>
/// <param name="Entities">Live user entities on the node; null like <paramref name="Shards"/>.</param>
public sealed record NodeSample(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, int? Shards, int? Entities)
{
    public static NodeSample From(MemberView member, RegionStats? region) => new(member.Address, member.Roles, member.Status, member.Reachable,
        region?.Shards.Count, region?.Shards.Sum(s => s.Entities));
}
