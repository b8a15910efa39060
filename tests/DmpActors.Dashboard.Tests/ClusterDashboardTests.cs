using DmpActors.Dashboard.Tests.Support;
using DmpActors.Host.Tests;
using DmpActors.Kafka.Embedded;
using static Microsoft.Playwright.Assertions;

namespace DmpActors.Dashboard.Tests;

/// <summary>Two host processes on loopback in one cluster over one embedded broker (in the test process).</summary>
public sealed class ClusterDashboardTests
{
    [Fact]
    public async Task The_cluster_view_of_either_node_shows_both_nodes_up_and_which_one_is_this_node()
    {
        // Given two nodes that joined one cluster, each with its own data directory
        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic("dmp.events", 6).WithTopic("dmp.events.dlq", 6).WithTopic("dmp.segment-changes", 6).WithTopic("dmp.offers", 6));
        var ports = new SortedSet<int>();
        while (ports.Count < 2) ports.Add(Ports.Free());
        var (seedPort, otherPort) = (ports.Min, ports.Max);
        using var seedData = new TempDir();
        using var otherData = new TempDir();
        string[] Settings(int port, TempDir data) =>
        [
            "--Dmp:Kafka:Embedded=false", $"--Dmp:Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Dmp:Node:Port={port}", $"--Dmp:Node:SeedNodes:0=akka.tcp://dmp@127.0.0.1:{seedPort}",
            $"--Dmp:Storage:DataDirectory={data.Path}",
        ];
        await using var seed = await HostProcess.StartAsync(Settings(seedPort, seedData));
        await using var other = await HostProcess.StartAsync(Settings(otherPort, otherData));
        await using var browser = await DashboardBrowser.LaunchAsync();

        foreach (var (node, self, peer) in new[] { (seed, seedPort, otherPort), (other, otherPort, seedPort) })
        {
            // When the Cluster tab of the node's dashboard is opened
            // (a node in a cluster requires API keys: the page asks, and the test gives the admin key)
            var page = await browser.OpenAsync(new Uri(node.Http.BaseAddress!, "/#cluster"));
            await page.Locator("#api-key").FillAsync(HostProcess.AdminKey);
            await page.Locator("#api-key").PressAsync("Enter");

            // Then it lists both nodes up, marks itself, and names the singleton's node (the oldest, the seed)
            await Expect(page.Locator("#tile-nodes")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
            var members = page.Locator("#view-cluster table");
            await Expect(members.Locator("tr", new() { HasText = $"127.0.0.1:{self} (this node)" })).ToContainTextAsync("up");
            await Expect(members.Locator("tr", new() { HasText = $"127.0.0.1:{peer}" })).ToContainTextAsync("up");
            await Expect(page.Locator("#tile-singleton")).ToHaveTextAsync($"127.0.0.1:{seedPort}", new() { Timeout = 30_000 });
            await DashboardBrowser.ScreenshotAsync(page, $"cluster-two-nodes-{(self == seedPort ? "seed" : "other")}");
            await page.Context.CloseAsync();
        }
    }
}
