using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace DmpActors.Engine.Admin;

/// <summary>
/// What an operator asks a node about its cluster (the questions pbm's cluster, cluster-sharding and
/// actor palettes ask), answered from this node's Akka.Cluster and Cluster.Sharding state.
/// </summary>
public sealed class ClusterAdmin(ActorSystem system)
{
    /// <summary>More actors than this are cut off: a node can hold millions of user entities.</summary>
    public const int MaxHierarchyEntries = 10_000;

    private Cluster Cluster => Cluster.Get(system);

    public ClusterView Show()
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => MemberView.From(m, !unreachable.Contains(m.Address)))
            .ToList();
        return new ClusterView(Cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
    }

    /// <summary>Each member's address and Akka status name (Up, Leaving, ...), oldest first: what /v1/info lists.</summary>
    public IReadOnlyList<MemberSummary> Summary() =>
        Cluster.State.Members.OrderBy(m => m, Member.AgeOrdering).Select(m => new MemberSummary(m.Address.ToString(), m.Status.ToString())).ToList();

    /// <summary>Asks the member to leave gracefully (its shards hand over first). Null when no member matches.</summary>
    public MemberView? Leave(string address) => Act(address, Cluster.Leave);

    /// <summary>Marks the member down: the cluster stops waiting for it and moves its shards.</summary>
    public MemberView? Down(string address) => Act(address, Cluster.Down);

    /// <summary>Downs every member this node sees as unreachable; returns them.</summary>
    public IReadOnlyList<MemberView> DownUnreachable()
    {
        var unreachable = Cluster.State.Unreachable.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        foreach (var member in unreachable) Cluster.Down(member.Address);
        return unreachable.Select(m => MemberView.From(m, reachable: false)).ToList();
    }

    private MemberView? Act(string address, Action<Address> action)
    {
        var member = Show().Members.FirstOrDefault(m => m.Matches(address));
        if (member is null) return null;
        action(Address.Parse(member.Address));
        return member;
    }

    /// <summary>
    /// Membership events from now on, starting with the current members as MemberUp/MemberJoined...
    /// (Akka's InitialStateAsEvents); ends when <paramref name="ct"/> is cancelled or the node stops.
    /// </summary>
    public async IAsyncEnumerable<MembershipChange> TailAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<MembershipChange>(new UnboundedChannelOptions { SingleReader = true });
        // The subscriber completes the channel when it stops, which includes the node shutting down.
        var subscriber = system.ActorOf(Props.Create(() => new MembershipSubscriber(channel.Writer)));
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(ct)) yield return change;
        }
        finally
        {
            system.Stop(subscriber);
        }
    }

    public IReadOnlyList<string> Regions() => ClusterSharding.Get(system).ShardTypeNames.OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>Shards of <paramref name="typeName"/> hosted by this node and their live entity counts; null for an unknown type.</summary>
    public async Task<RegionStats?> RegionStatsAsync(string typeName, TimeSpan timeout, CancellationToken ct)
    {
        if (RegionOf(typeName) is not { } region) return null;
        var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, timeout, ct);
        return RegionStats.From(Cluster.SelfAddress.ToString(), stats);
    }

    /// <summary>Every node's region of <paramref name="typeName"/> with its shards; null for an unknown type.</summary>
    public async Task<IReadOnlyList<RegionStats>?> ShardStatsAsync(string typeName, TimeSpan timeout, CancellationToken ct)
    {
        if (RegionOf(typeName) is not { } region) return null;
        // The region gathers from all regions within the timeout and leaves out those that did not answer; a busy
        // node can miss it, so one more round is asked for when fewer regions answered than members are up.
        var up = Cluster.State.Members.Count(m => m.Status == MemberStatus.Up);
        var stats = await GatherAsync(region, timeout, ct);
        if (stats.Regions.Count < up) stats = await GatherAsync(region, timeout, ct) is { } again && again.Regions.Count > stats.Regions.Count ? again : stats;
        return stats.Regions
            .Select(r => RegionStats.From(r.Key.ToString(), r.Value))
            .OrderBy(r => r.Address, StringComparer.Ordinal)
            .ToList();
    }

    private static Task<ClusterShardingStats> GatherAsync(IActorRef region, TimeSpan timeout, CancellationToken ct) =>
        region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(2), ct);

    private IActorRef? RegionOf(string typeName) =>
        ClusterSharding.Get(system).ShardTypeNames.Contains(typeName) ? ClusterSharding.Get(system).ShardRegion(typeName) : null;

    /// <summary>
    /// Actor paths below <paramref name="path"/> (e.g. "/user", "/system/sharding/user") down to
    /// <paramref name="depth"/> levels, depth first; null when nothing lives at that path.
    /// </summary>
    public ActorHierarchy? Hierarchy(string path, int depth)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var root = ((ExtendedActorSystem)system).Provider.RootGuardian;
        var start = names.Length == 0 ? root : root.GetChild(names);
        if (start is not ActorRefWithCell) return null;
        var paths = new List<string>();
        var truncated = false;
        void Walk(IActorRef actor, int level)
        {
            if (level > depth || actor is not ActorRefWithCell withCell) return;
            foreach (var child in withCell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal))
            {
                if (paths.Count == MaxHierarchyEntries) { truncated = true; return; }
                paths.Add(child.Path.ToStringWithoutAddress());
                Walk(child, level + 1);
            }
        }
        Walk(start, 1);
        return new ActorHierarchy(start.Path.ToStringWithoutAddress(), depth, paths, truncated);
    }

    /// <summary>Forwards this node's view of membership changes into a channel, one subscriber per tail.</summary>
    private sealed class MembershipSubscriber : ReceiveActor
    {
        private readonly ChannelWriter<MembershipChange> _out;

        public MembershipSubscriber(ChannelWriter<MembershipChange> output)
        {
            _out = output;
            Receive<ClusterEvent.IMemberEvent>(e => _out.TryWrite(MembershipChange.From(e.GetType().Name, e.Member, reachable: true)));
            Receive<ClusterEvent.UnreachableMember>(e => _out.TryWrite(MembershipChange.From("UnreachableMember", e.Member, reachable: false)));
            Receive<ClusterEvent.ReachableMember>(e => _out.TryWrite(MembershipChange.From("ReachableMember", e.Member, reachable: true)));
            Receive<ClusterEvent.LeaderChanged>(e => _out.TryWrite(new MembershipChange(DateTimeOffset.UtcNow, "LeaderChanged", e.Leader?.ToString() ?? "", [], "", true)));
            Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        }

        protected override void PreStart() => Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop()
        {
            Cluster.Get(Context.System).Unsubscribe(Self);
            _out.TryComplete();
        }
    }
}

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members);

public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    public static MemberView From(Member m, bool reachable) =>
        new(m.Address.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToList(), StatusName(m.Status), reachable);

    public static string StatusName(MemberStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A member is named by its full address (akka.tcp://dmp@host:port) or just host:port.</summary>
    public bool Matches(string address) =>
        string.Equals(Address, address, StringComparison.Ordinal) || Address.EndsWith("@" + address, StringComparison.Ordinal);
}

/// <summary>A member in brief; <see cref="MemberView"/> adds roles and reachability.</summary>
public sealed record MemberSummary(string Address, string Status);

public sealed record MembershipChange(DateTimeOffset At, string Event, string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    public static MembershipChange From(string eventName, Member m, bool reachable) =>
        new(DateTimeOffset.UtcNow, eventName, m.Address.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToList(), MemberView.StatusName(m.Status), reachable);
}

public sealed record ShardStats(string ShardId, int Entities);

public sealed record RegionStats(string Address, IReadOnlyList<ShardStats> Shards, IReadOnlyList<string> FailedShards)
{
    public static RegionStats From(string address, ShardRegionStats stats) => new(
        address,
        stats.Stats.OrderBy(s => s.Key, ShardIdOrder.Instance).Select(s => new ShardStats(s.Key, s.Value)).ToList(),
        (stats.Failed ?? ImmutableHashSet<string>.Empty).OrderBy(s => s, ShardIdOrder.Instance).ToList());
}

public sealed record ActorHierarchy(string Path, int Depth, IReadOnlyList<string> Actors, bool Truncated);

/// <summary>Shard ids are numbers here ("7" before "12"); others sort as text.</summary>
internal sealed class ShardIdOrder : IComparer<string>
{
    public static readonly ShardIdOrder Instance = new();

    public int Compare(string? x, string? y) =>
        int.TryParse(x, out var a) && int.TryParse(y, out var b) ? a.CompareTo(b) : string.CompareOrdinal(x, y);
}
