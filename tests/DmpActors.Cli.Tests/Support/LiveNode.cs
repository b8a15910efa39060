using System.Net;
using DmpActors.Host.Tests;

namespace DmpActors.Cli.Tests.Support;

/// <summary>
/// A DmpActors node for dmpctl to talk to over real HTTP: in-process (Kestrel on a free port) or a
/// real process (to kill -9). The first node runs the embedded broker; the others join it.
/// </summary>
public sealed class LiveNode : IAsyncDisposable
{
    public const string AdminKey = "dmpctl-tests-admin-key";

    private readonly DmpHostFactory? _inProcess;
    private readonly HostProcess? _process;

    private LiveNode(DmpHostFactory? inProcess, HostProcess? process, string url, int akkaPort, string brokerAddress)
    {
        _inProcess = inProcess;
        _process = process;
        Url = url;
        AkkaPort = akkaPort;
        BrokerAddress = brokerAddress;
    }

    public string Url { get; }
    public int AkkaPort { get; }
    public string BrokerAddress { get; }
    public string? Allocation { get; private init; }
    public string HostPort => $"127.0.0.1:{AkkaPort}";
    public string Address => $"akka.tcp://dmp@{HostPort}";

    /// <summary>The node's services (in-process nodes only), e.g. its runtime and store.</summary>
    public IServiceProvider Services => (_inProcess ?? throw new InvalidOperationException("only an in-process node shares its services")).Services;

    /// <summary>dmpctl arguments aimed at this node with the right key.</summary>
    public string[] Dmpctl(params string[] args) => [.. args, "--host", Url, "--api-key", AdminKey];

    /// <param name="allocation">Dmp:Sharding:Allocation (null: the default); joiners take the seed's.</param>
    public static Task<LiveNode> StartFirstAsync(string? allocation = null) => StartInProcessAsync(seed: null, allocation);

    /// <summary>The first node with settings of its own on top (e.g. <c>Dmp:Profiles:Clock = event</c>).</summary>
    public static Task<LiveNode> StartFirstAsync(IReadOnlyDictionary<string, string?> settings) => StartInProcessAsync(seed: null, allocation: null, settings);

    /// <summary>
    /// Joins <paramref name="seed"/>'s cluster and uses its broker. Ingest stays off on joiners: these
    /// tests are about membership, and a consumer-group rebalance on the embedded broker takes seconds each time.
    /// </summary>
    public static Task<LiveNode> StartJoiningAsync(LiveNode seed) => StartInProcessAsync(seed, seed.Allocation);

    public static async Task<LiveNode> StartProcessJoiningAsync(LiveNode seed)
    {
        var akkaPort = Ports.Free();
        var process = await HostProcess.StartAsync([.. JoinerSettings(seed, akkaPort).Select(s => $"--{s.Key}={s.Value}")]);
        return new LiveNode(null, process, process.Http.BaseAddress!.ToString(), akkaPort, seed.BrokerAddress) { Allocation = seed.Allocation };
    }

    private static async Task<LiveNode> StartInProcessAsync(LiveNode? seed, string? allocation, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var akkaPort = Ports.Free();
        var httpPort = Ports.Free();
        var settings = seed is null
            ? new Dictionary<string, string?> { ["Dmp:Node:Port"] = $"{akkaPort}", ["Dmp:Admin:ApiKey"] = AdminKey }
            : JoinerSettings(seed, akkaPort);
        if (allocation is not null) settings[AllocationKey] = allocation;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var factory = new DmpHostFactory(settings);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, httpPort));
        // Starting blocks until the node is Up in the cluster.
        await Task.Run(factory.StartServer);
        return new LiveNode(factory, null, $"http://127.0.0.1:{httpPort}", akkaPort, seed?.BrokerAddress ?? factory.BrokerAddress) { Allocation = allocation };
    }

    private const string AllocationKey = "Dmp:Sharding:Allocation";

    private static Dictionary<string, string?> JoinerSettings(LiveNode seed, int akkaPort)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dmp:Node:Port"] = $"{akkaPort}",
            ["Dmp:Node:SeedNodes:0"] = seed.Address,
            ["Dmp:Kafka:Embedded"] = "false",
            ["Dmp:Kafka:BootstrapServers"] = seed.BrokerAddress,
            ["Dmp:Kafka:Partitions"] = "3",
            ["Dmp:Ingest:Enabled"] = "false",
            ["Dmp:Admin:ApiKey"] = AdminKey,
        };
        if (seed.Allocation is not null) settings[AllocationKey] = seed.Allocation;
        return settings;
    }

    /// <summary>SIGKILL (process nodes only): the cluster sees it become unreachable.</summary>
    public Task KillAsync() => (_process ?? throw new InvalidOperationException("only a process node can be killed")).KillAsync();

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        if (_inProcess is not null) await _inProcess.DisposeAsync();
    }
}

/// <summary>Nodes started in order (the first one founds the cluster), stopped in reverse.</summary>
public sealed class LiveCluster : IAsyncDisposable
{
    private LiveCluster(List<LiveNode> nodes) => Nodes = nodes;

    public List<LiveNode> Nodes { get; }
    public LiveNode this[int i] => Nodes[i];

    public static async Task<LiveCluster> StartAsync(int inProcessNodes)
    {
        // Only the first node consumes, so partition-aligned shards would all live there: a cluster's nodes hash users
        // over every node instead, which the palettes that show the cluster's shards look at.
        var nodes = new List<LiveNode> { await LiveNode.StartFirstAsync(allocation: "default") };
        var cluster = new LiveCluster(nodes);
        for (var i = 1; i < inProcessNodes; i++) nodes.Add(await LiveNode.StartJoiningAsync(nodes[0]));
        // Every node, not just the first: a member is Up on a node only once gossip has brought it there.
        foreach (var node in nodes) await WaitForMembersAsync(node, nodes.Count);
        return cluster;
    }

    public async Task<LiveNode> AddProcessNodeAsync()
    {
        var node = await LiveNode.StartProcessJoiningAsync(Nodes[0]);
        Nodes.Add(node);
        foreach (var member in Nodes) await WaitForMembersAsync(member, Nodes.Count);
        return node;
    }

    /// <summary>Until <paramref name="observer"/> sees exactly this many members, all up and reachable.</summary>
    public static Task WaitForMembersAsync(LiveNode observer, int count) =>
        Wait.Until(async () =>
        {
            var (exit, output, _) = await CliRunner.RunAsync(observer.Dmpctl("cluster", "show"));
            return exit == 0 && output.Contains($"Count: {count} member") && Lines(output).Count(l => l.Contains("| up ") && l.EndsWith("| reachable")) == count;
        }, TimeSpan.FromSeconds(60), $"{observer.Address} to see {count} members up and reachable");

    public static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async ValueTask DisposeAsync()
    {
        for (var i = Nodes.Count - 1; i >= 0; i--) await Nodes[i].DisposeAsync();
    }
}
