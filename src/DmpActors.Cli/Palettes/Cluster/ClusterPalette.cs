using System.CommandLine;
using DmpActors.Cli.Admin;

namespace DmpActors.Cli.Palettes.Cluster;

/// <summary>The <c>cluster</c> palette (pbm's names): membership as the connected node sees it, and changing it.</summary>
public static class ClusterPalette
{
    private static readonly Argument<string> Address = new("address")
    {
        Description = "The member: akka.tcp://dmp@host:port, or just host:port",
    };

    public static Command Create() => new Command("cluster", "Cluster membership: show, status, leader, leave, down, down-unreachable, tail")
    {
        new Command("show", "Every member with its roles, status and reachability").Calls(Show),
        new Command("status", "The connected node's own membership and a count of members by status").Calls(Status),
        new Command("leader", "The current cluster leader").Calls(Leader),
        new Command("leave", "Ask a member to leave gracefully (its shards hand over first)") { Address }.Calls(Leave),
        new Command("down", "Mark a member down (for a member that is gone and will not come back)") { Address }.Calls(Down),
        new Command("down-unreachable", "Down every member the connected node sees as unreachable").Calls(DownUnreachable),
        new Command("tail", "Stream membership events (current members first) until Ctrl+C").Calls(Tail),
    }.WithConnection();

    private static async Task<int> Show(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var cluster = await node.GetAsync<ClusterView>("admin/v1/cluster", ct);
        await output.WriteLineAsync(Table.Format(cluster.Members.Select(m => m.Row())));
        await output.WriteLineAsync($"Count: {cluster.Members.Count} {(cluster.Members.Count == 1 ? "member" : "members")}");
        return 0;
    }

    private static async Task<int> Status(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var cluster = await node.GetAsync<ClusterView>("admin/v1/cluster", ct);
        var self = cluster.Members.FirstOrDefault(m => m.Address == cluster.Self);
        await output.WriteLineAsync(self is null ? $"{cluster.Self} | not a member" : Table.Format([self.Row()]));
        var byStatus = cluster.Members.GroupBy(m => m.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        var unreachable = cluster.Members.Count(m => !m.Reachable);
        await output.WriteLineAsync($"Members: {cluster.Members.Count} ({string.Join(", ", byStatus)}), unreachable: {unreachable}, leader: {cluster.Leader ?? "(none)"}");
        return 0;
    }

    private static async Task<int> Leader(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var cluster = await node.GetAsync<ClusterView>("admin/v1/cluster", ct);
        if (cluster.Leader is null) throw new AdminException(AdminClient.ExitFailed, "the cluster has no leader (no member is up and reachable from the connected node)");
        await output.WriteLineAsync(cluster.Leader);
        return 0;
    }

    private static Task<int> Leave(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct) =>
        OnMember(node, "leave", "Leaving", parseResult.GetValue(Address)!, output, ct);

    private static Task<int> Down(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct) =>
        OnMember(node, "down", "Downing", parseResult.GetValue(Address)!, output, ct);

    private static async Task<int> OnMember(AdminClient node, string action, string verb, string address, TextWriter output, CancellationToken ct)
    {
        var member = await node.PostAsync<MemberView>($"admin/v1/cluster/{action}", new { address }, ct);
        await output.WriteLineAsync($"{verb}: {member.Address}");
        return 0;
    }

    private static async Task<int> DownUnreachable(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var downed = await node.PostAsync<DownedView>("admin/v1/cluster/down-unreachable", null, ct);
        await output.WriteLineAsync(downed.Downed.Count == 0
            ? "No unreachable members"
            : string.Join(Environment.NewLine, downed.Downed.Select(m => $"Downing: {m.Address}")));
        return 0;
    }

    /// <summary>Runs until Ctrl+C (success) or until the node ends the stream (it stopped: exit 2).</summary>
    private static async Task<int> Tail(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        try
        {
            await foreach (var change in node.StreamAsync<MembershipChange>("admin/v1/cluster/events", ct))
            {
                await output.WriteLineAsync(change.Line());
                await output.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        if (ct.IsCancellationRequested) return 0;
        throw new AdminException(AdminClient.ExitUnreachable, $"the node at {node.Node} closed the event stream (it is stopping or left the cluster)");
    }
}
