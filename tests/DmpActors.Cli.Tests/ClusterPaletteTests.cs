using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;
using DmpActors.Host.Tests;
using static DmpActors.Cli.Tests.Support.LiveCluster;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl's read-only palettes against a live three-node cluster.</summary>
public sealed class ClusterPaletteTests : IClassFixture<ClusterPaletteTests.ThreeNodes>
{
    public sealed class ThreeNodes : IAsyncLifetime
    {
        public const int Users = 30;
        public LiveCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await LiveCluster.StartAsync(inProcessNodes: 3);
            // Users to shard: posted to the first node, which runs ingest, and spread over the three regions.
            using var http = new HttpClient { BaseAddress = new Uri(Cluster[0].Url) };
            var response = await http.PostAsync("/v1/events", Events.Batch(Enumerable.Range(0, Users).Select(u => Events.PageView($"cp-{u}", UserId(u)))));
            response.EnsureSuccessStatusCode();
            for (var u = 0; u < Users; u++)
                await Wait.ForProfile(http, UserId(u), p => p.GetProperty("events_applied").GetInt64() == 1, TimeSpan.FromSeconds(60));
        }

        public static string UserId(int u) => $"palette-user-{u}";

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private readonly LiveCluster _cluster;

    public ClusterPaletteTests(ThreeNodes nodes) => _cluster = nodes.Cluster;

    [Fact]
    public async Task Cluster_show_lists_every_node_as_up_and_reachable_in_pbm_columns_with_a_count()
    {
        var (exit, output, error) = await CliRunner.RunAsync(_cluster[1].Dmpctl("cluster", "show"));

        Assert.True(exit == 0, error);
        var lines = Lines(output);
        Assert.Equal(
            _cluster.Nodes.Select(n => $"{n.Address} | [] | up | reachable").Order(StringComparer.Ordinal),
            lines.SkipLast(1).Select(l => string.Join(" | ", l.Split('|').Select(c => c.Trim()))));
        Assert.Equal("Count: 3 members", lines[^1]);
    }

    [Fact]
    public async Task Every_node_names_the_same_leader_and_it_is_a_member()
    {
        var leaders = new List<string>();
        foreach (var node in _cluster.Nodes)
        {
            var (exit, output, error) = await CliRunner.RunAsync(node.Dmpctl("cluster", "leader"));
            Assert.True(exit == 0, error);
            leaders.Add(output.Trim());
        }

        Assert.Single(leaders.Distinct());
        Assert.Contains(leaders[0], _cluster.Nodes.Select(n => n.Address));
    }

    [Fact]
    public async Task Cluster_status_shows_the_connected_node_first_then_counts_by_status()
    {
        var (exit, output, error) = await CliRunner.RunAsync(_cluster[2].Dmpctl("cluster", "status"));

        Assert.True(exit == 0, error);
        var lines = Lines(output);
        Assert.Equal($"{_cluster[2].Address} | [] | up | reachable", lines[0]);
        Assert.StartsWith("Members: 3 (up 3), unreachable: 0, leader: akka.tcp://dmp@127.0.0.1:", lines[1]);
    }

    [Fact]
    public async Task Cluster_sharding_regions_lists_the_user_entity_type()
    {
        var (exit, output, error) = await CliRunner.RunAsync(_cluster[0].Dmpctl("cluster-sharding", "regions"));

        Assert.True(exit == 0, error);
        Assert.Equal(["campaign", "offer-ledger", "user"], Lines(output));
    }

    [Fact]
    public async Task Shard_stats_list_every_nodes_shards_and_agree_with_each_nodes_region_stats()
    {
        var (exit, output, error) = await CliRunner.RunAsync(_cluster[0].Dmpctl("cluster-sharding", "shard-stats", "-r", "user"));

        Assert.True(exit == 0, error);
        var lines = Lines(output);
        Assert.Equal(["Address", "ShardId", "Entities"], Cells(lines[0]));
        var rows = lines[1..^1].Select(Cells).ToList();
        // Other tests here may have woken a few more entities (a profile read starts one).
        var entities = rows.Sum(r => int.Parse(r[2]));
        Assert.True(entities >= ThreeNodes.Users, output);
        Assert.Equal($"Regions: 3, shards: {rows.Count}, entities: {entities}", lines[^1]);
        Assert.True(rows.Select(r => r[0]).Distinct().Count() >= 2, "the shards should be spread over the nodes:\n" + output);
        foreach (var node in _cluster.Nodes)
        {
            var local = await CliRunner.RunAsync(node.Dmpctl("cluster-sharding", "region-stats", "-r", "user"));
            Assert.True(local.ExitCode == 0, local.Error);
            var expected = rows.Where(r => r[0] == node.Address).Select(r => $"{r[1]}={r[2]}");
            var localLines = Lines(local.Output);
            Assert.Equal(expected, localLines.Where(l => char.IsAsciiDigit(l[0])).Select(Cells).Select(r => $"{r[0]}={r[1]}"));
            Assert.StartsWith("Shards: ", localLines[^1]);
        }
    }

    [Fact]
    public async Task Region_stats_of_an_unknown_entity_type_fails_naming_the_known_ones()
    {
        var (exit, output, error) = await CliRunner.RunAsync(_cluster[0].Dmpctl("cluster-sharding", "region-stats", "-r", "no-such-type"));

        Assert.Equal(AdminClient.ExitFailed, exit);
        Assert.Equal("", output);
        Assert.Single(Lines(error));
        Assert.Contains("Unknown entity type: no shard region 'no-such-type' on this node; regions: campaign, offer-ledger, user", error);
    }

    [Fact]
    public async Task Actor_hierarchy_shows_each_user_entity_once_under_its_shard_on_the_node_hosting_it()
    {
        var entities = new List<string>();
        foreach (var node in _cluster.Nodes)
        {
            var (exit, output, error) = await CliRunner.RunAsync(node.Dmpctl("actor", "hierarchy", "-s", "/system/sharding/user", "-d", "2"));
            Assert.True(exit == 0, error);
            Assert.All(Lines(output), l => Assert.StartsWith("/system/sharding/user/", l));
            entities.AddRange(Lines(output).Where(l => l.Count(c => c == '/') == 5).Select(l => l[(l.LastIndexOf('/') + 1)..]));
        }

        Assert.Equal(Enumerable.Range(0, ThreeNodes.Users).Select(ThreeNodes.UserId).Order(), entities.Where(e => e.StartsWith("palette-user-")).Order());
    }

    [Fact]
    public async Task Actor_hierarchy_of_a_path_where_nothing_lives_fails_with_one_line()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_cluster[0].Dmpctl("actor", "hierarchy", "-s", "/user/nobody"));

        Assert.Equal(AdminClient.ExitFailed, exit);
        Assert.Contains("No such actor: no actor lives at '/user/nobody'", error);
    }

    [Fact]
    public async Task Profile_show_prints_the_live_profile_one_field_per_line_from_any_node()
    {
        var user = ThreeNodes.UserId(7);

        var (exit, output, error) = await CliRunner.RunAsync(_cluster[2].Dmpctl("profile", "show", user));

        Assert.True(exit == 0, error);
        var fields = Lines(output).Select(Cells).ToDictionary(c => c[0], c => c.Length > 1 ? c[1] : "");
        Assert.Equal(user, fields["id"]);
        Assert.Equal("1", fields["events_applied"]);
        Assert.Equal("""{"page_view":1}""", fields["event_counts"]);
    }

    [Fact]
    public async Task Profile_show_of_an_unknown_user_fails_with_the_nodes_reason()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_cluster[0].Dmpctl("profile", "show", "nobody-at-all"));

        Assert.Equal(AdminClient.ExitFailed, exit);
        Assert.Contains("Unknown user: no events have been applied for 'nobody-at-all'", error);
    }

    [Fact]
    public async Task Cluster_tail_starts_with_every_current_member_and_ends_cleanly_on_ctrl_c()
    {
        var tail = CliRunner.Start(_cluster[0].Dmpctl("cluster", "tail"));

        await Wait.Until(() => Task.FromResult(_cluster.Nodes.All(n => tail.Output.Contains($"| MemberUp | {n.Address} | [] | up"))),
            TimeSpan.FromSeconds(30), "tail to print every member as up");
        var exit = await tail.StopAsync();

        Assert.Equal(0, exit);
        Assert.Equal("", tail.Error);
    }

    [Fact]
    public async Task A_wrong_admin_key_fails_every_admin_command_with_exit_3_and_one_line()
    {
        string[][] commands = [["cluster", "show"], ["cluster", "leave", _cluster[1].HostPort], ["cluster-sharding", "regions"], ["actor", "hierarchy"]];
        foreach (var command in commands)
        {
            var (exit, output, error) = await CliRunner.RunAsync([.. command, "--host", _cluster[0].Url, "--api-key", "not-the-key"]);

            Assert.Equal(AdminClient.ExitUnauthorized, exit);
            Assert.Equal("", output);
            Assert.Equal($"dmpctl: the node at {_cluster[0].Url}/ refused the API key: Unknown API key: the key matches none this node accepts (Dmp:Security:Keys, Dmp:Security:KeysFile, Dmp:Admin:ApiKey)",
                Assert.Single(Lines(error)));
        }
        await WaitForMembersAsync(_cluster[0], 3);
    }

    [Fact]
    public async Task The_admin_endpoints_report_what_dmpctl_prints()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_cluster[1].Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", LiveNode.AdminKey);

        var view = await http.GetFromJsonAsync<JsonElement>("/admin/v1/cluster");
        var (_, output, _) = await CliRunner.RunAsync(_cluster[1].Dmpctl("cluster", "show"));

        Assert.Equal(view.GetProperty("self").GetString(), _cluster[1].Address);
        Assert.Equal(
            view.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("address").GetString()!),
            Lines(output).SkipLast(1).Select(l => Cells(l)[0]));
    }

    private static string[] Cells(string line) => line.Split('|').Select(c => c.Trim()).ToArray();
}
