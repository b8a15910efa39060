namespace DmpActors.Cli.Admin;

// What the node's /admin/v1 endpoints return (snake_case JSON); dmpctl speaks HTTP only, so it keeps its own copies.

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members);

public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    public IReadOnlyList<string> Row() => [Address, Table.Roles(Roles), Status, Reachable ? "reachable" : "unreachable"];
}

public sealed record MembershipChange(DateTimeOffset At, string Event, string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    public string Line() => Event == "LeaderChanged"
        ? $"{At:yyyy-MM-ddTHH:mm:ss.fffZ} | {Event} | {(Address.Length > 0 ? Address : "(none)")}"
        : $"{At:yyyy-MM-ddTHH:mm:ss.fffZ} | {Event} | {Address} | {Table.Roles(Roles)} | {Status}" + (Reachable ? "" : " | unreachable");
}

public sealed record DownedView(IReadOnlyList<MemberView> Downed);

public sealed record RegionsView(IReadOnlyList<string> Regions);

public sealed record ShardStats(string ShardId, int Entities);

public sealed record RegionStats(string Address, IReadOnlyList<ShardStats> Shards, IReadOnlyList<string> FailedShards);

public sealed record ActorHierarchy(string Path, int Depth, IReadOnlyList<string> Actors, bool Truncated);

/// <summary>RFC 7807 body of a failed request; the node fills title and detail.</summary>
public sealed record Problem(string? Title, string? Detail, int? Status);
