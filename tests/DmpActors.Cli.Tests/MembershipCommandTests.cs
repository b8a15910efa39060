using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;
using DmpActors.Host.Tests;
using static DmpActors.Cli.Tests.Support.LiveCluster;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl commands that change membership, each against its own live cluster.</summary>
public sealed class MembershipCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cluster_leave_by_host_and_port_removes_the_member_gracefully_and_tail_reports_each_step()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 2);
        var tail = CliRunner.Start(cluster[0].Dmpctl("cluster", "tail"));
        await Wait.Until(() => Task.FromResult(tail.Output.Contains($"| MemberUp | {cluster[1].Address}")), Patience, "tail to show the second node up");

        var (exit, output, error) = await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "leave", cluster[1].HostPort));

        Assert.True(exit == 0, error);
        Assert.Equal($"Leaving: {cluster[1].Address}", output.Trim());
        await WaitForMembersAsync(cluster[0], 1);
        await Wait.Until(() => Task.FromResult(tail.Output.Contains($"| MemberRemoved | {cluster[1].Address}")), Patience, "tail to report the removal");
        Assert.Equal(0, await tail.StopAsync());
        var events = Lines(tail.Output).Select(l => l.Split(" | ")).Where(c => c[1].StartsWith("Member") && c[2] == cluster[1].Address).Select(c => c[1]).ToList();
        Assert.Equal(["MemberUp", "MemberLeft", "MemberExited", "MemberRemoved"], events);
    }

    [Fact]
    public async Task Cluster_tail_on_a_node_that_leaves_ends_by_itself_with_exit_2_and_one_line()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 2);
        var tail = CliRunner.Start(cluster[1].Dmpctl("cluster", "tail"));
        await Wait.Until(() => Task.FromResult(tail.Output.Contains($"| MemberUp | {cluster[1].Address}")), Patience, "tail to start");

        await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "leave", cluster[1].Address));
        var exit = await tail.Exit.WaitAsync(Patience);

        Assert.Equal(AdminClient.ExitUnreachable, exit);
        Assert.Equal($"dmpctl: the node at {cluster[1].Url}/ closed the event stream (it is stopping or left the cluster)", tail.Error.Trim());
        Assert.Contains($"| MemberLeft | {cluster[1].Address}", tail.Output);
    }

    [Fact]
    public async Task Cluster_down_by_full_address_removes_the_member()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 2);

        var (exit, output, error) = await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "down", cluster[1].Address));

        Assert.True(exit == 0, error);
        Assert.Equal($"Downing: {cluster[1].Address}", output.Trim());
        await WaitForMembersAsync(cluster[0], 1);
        var show = await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "show"));
        Assert.DoesNotContain(cluster[1].Address, show.Output);
    }

    [Fact]
    public async Task Cluster_down_unreachable_downs_a_killed_node_and_the_rest_carry_on()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 2);
        var victim = await cluster.AddProcessNodeAsync();

        await victim.KillAsync();
        await Wait.Until(async () => Lines((await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "show"))).Output)
            .Contains($"{victim.Address} | [] | up | unreachable"), Patience, "the killed node to be seen as unreachable");
        var (exit, output, error) = await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "down-unreachable"));

        Assert.True(exit == 0, error);
        Assert.Equal($"Downing: {victim.Address}", output.Trim());
        await WaitForMembersAsync(cluster[0], 2);
        await WaitForMembersAsync(cluster[1], 2);
    }

    [Fact]
    public async Task Cluster_leave_of_an_address_that_is_not_a_member_fails_and_changes_nothing()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);

        var (exit, output, error) = await CliRunner.RunAsync(cluster[0].Dmpctl("cluster", "leave", "10.1.2.3:4053"));

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("Unknown member: no member of this cluster has the address '10.1.2.3:4053'", Assert.Single(Lines(error)));
        await WaitForMembersAsync(cluster[0], 1);
    }
}
