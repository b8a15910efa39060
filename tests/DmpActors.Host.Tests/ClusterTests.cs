using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DmpActors.Engine.Tests.Support;
using DmpActors.Faults.Tests.Support;
using DmpActors.Kafka.Embedded;
using Xunit.Abstractions;

namespace DmpActors.Host.Tests;

/// <summary>
/// Three real host processes on loopback form one cluster over a shared PostgreSQL store and one embedded broker
/// (in the test process, so any node can die). Events stream the whole time; one node is killed with SIGKILL, another
/// leaves gracefully (SIGTERM), and afterwards every event is in the profiles exactly once.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const int Users = 90;
    private const int Partitions = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [PostgresFact]
    public async Task Three_nodes_share_the_stream_and_after_a_kill_and_a_graceful_leave_every_event_counts_exactly_once()
    {
        // Given three nodes over one broker and one database; the seed has the lowest address, so keep-majority
        // keeps it whenever the cluster splits evenly.
        var connection = await TestDatabases.CreatePostgresDatabaseAsync();
        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic("dmp.events", Partitions).WithTopic("dmp.events.dlq", Partitions));
        var ports = DistinctFreePorts(3);
        var seed = $"akka.tcp://dmp@127.0.0.1:{ports[0]}";
        using var data = new TempDir();
        string[] Settings(int port) =>
        [
            "--Dmp:Kafka:Embedded=false", $"--Dmp:Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Dmp:Node:Port={port}", $"--Dmp:Node:SeedNodes:0={seed}", "--Dmp:Node:DowningStableAfter=00:00:03",
            "--Dmp:Storage:Provider=postgresql", $"--Dmp:Storage:ConnectionString={connection}", "--Dmp:Admin:ApiKey=cluster-test-admin-key",
            $"--Dmp:Storage:DataDirectory={data.Path}", "--Dmp:Ingest:CheckpointInterval=00:00:00.300",
        ];
        await using var node1 = await HostProcess.StartAsync(Settings(ports[0]));
        var others = await Task.WhenAll(HostProcess.StartAsync(Settings(ports[1])), HostProcess.StartAsync(Settings(ports[2])));
        await using var node2 = others[0];
        await using var node3 = others[1];
        await WaitForMembers(node1, 3);

        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5, Partitioner = Partitioner.Murmur2Random }).Build();
        var traffic = new Traffic(producer);
        using var stopTraffic = new CancellationTokenSource();
        var streaming = traffic.RunAsync(stopTraffic.Token);

        // When every node consumes partitions and hosts users...
        foreach (var node in new[] { node1, node2, node3 })
        {
            await Wait.Until(async () =>
            {
                var info = await node.InfoAsync();
                // local_users is null when the shard region did not answer /v1/info in time: not yet, ask again.
                var users = info.GetProperty("local_users");
                return info.GetProperty("ingest").GetProperty("records_checkpointed").GetInt64() > 0
                       && users.ValueKind == JsonValueKind.Object && users.GetProperty("entities").GetInt32() > 0;
            }, Patience, "every node to checkpoint events and host user entities");
        }
        // ...each node hosts exactly the user shards of the partitions its consumer owns (shard id = partition)...
        await WaitForAlignment([node1, node2, node3]);

        // ...one node dies without warning; the split-brain resolver downs it, its users and partitions move.
        producer.Flush(TimeSpan.FromSeconds(30));
        var acknowledgedBeforeKill = EndOffsets(broker.BootstrapServers);
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        await node3.KillAsync();
        await WaitForMembers(node1, 2);
        output.WriteLine($"node 3 killed and removed after {traffic.Sent} events");
        // Recovery: until every record the broker had acknowledged before the kill is committed by the survivors.
        await WaitUntilCommitted(broker.BootstrapServers, acknowledgedBeforeKill);
        var recovery = killedAt.Elapsed;
        // The killed node's partitions and their shards moved to the survivors together.
        await WaitForAlignment([node1, node2]);
        output.WriteLine($"after the kill: committed after {recovery.TotalSeconds:0.0} s, partitions and shards aligned again after {killedAt.Elapsed.TotalSeconds:0.0} s");

        // ...and another leaves gracefully: ingest stops with a final checkpoint, its shards hand off, it exits.
        var exitCode = await node2.TerminateAsync(Patience);
        Assert.True(exitCode == 0, $"node 2 exited with {exitCode}:\n{node2.Output}");
        await WaitForMembers(node1, 1);
        output.WriteLine($"node 2 left after {traffic.Sent} events");
        await WaitForAlignment([node1]);

        var sentBeforeStop = traffic.Sent;
        await Wait.Until(() => Task.FromResult(traffic.Sent >= sentBeforeStop + 500), Patience, "more events after the leave");
        await stopTraffic.CancelAsync();
        await streaming;
        producer.Flush(TimeSpan.FromSeconds(30));

        // Then everything produced is committed, and every committed event is in the profiles exactly once.
        await WaitUntilCommitted(broker.BootstrapServers, EndOffsets(broker.BootstrapServers));
        var applied = new long[Users];
        for (var u = 0; u < Users; u++)
        {
            var response = await node1.Http.GetAsync($"/v1/profiles/u{u}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"u{u}: {response.StatusCode}");
            var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
            applied[u] = profile.GetProperty("events_applied").GetInt64();
            Assert.Equal(applied[u], profile.GetProperty("event_counts").GetProperty("page_view").GetInt64());
        }
        var lost = Enumerable.Range(0, Users).Sum(u => Math.Max(0, traffic.SentTo(u) - applied[u]));
        var doubled = Enumerable.Range(0, Users).Sum(u => Math.Max(0, applied[u] - traffic.SentTo(u)));
        ReliabilityReport.Record(new FaultOutcome("3-node cluster: one node kill -9 mid-stream, then one leaves (SIGTERM)", traffic.Sent,
            lost, doubled, Resurrected: 0, recovery, Restarts: 0,
            "PostgreSQL; recovery: from the kill until every record acknowledged before it is committed by the two survivors (includes the 3 s downing)"));
        for (var u = 0; u < Users; u++) Assert.Equal(traffic.SentTo(u), applied[u]);
        output.WriteLine($"{traffic.Sent} events, all counted once; recovery after the kill {recovery.TotalSeconds:0.0} s");
    }

    private static int[] DistinctFreePorts(int count)
    {
        var ports = new SortedSet<int>();
        while (ports.Count < count) ports.Add(Ports.Free());
        return ports.ToArray();
    }

    private static Task WaitForMembers(HostProcess node, int count) =>
        Wait.Until(async () =>
        {
            var members = (await node.InfoAsync()).GetProperty("members").EnumerateArray().ToList();
            return members.Count == count && members.All(m => m.GetProperty("status").GetString() == "Up");
        }, Patience, $"the cluster to have exactly {count} Up members");

    /// <summary>Until the nodes' consumers own all partitions between them and each node's region hosts exactly the shards
    /// of its own partitions: every record reaches its user on the node that consumed it.</summary>
    private async Task WaitForAlignment(IReadOnlyList<HostProcess> nodes)
    {
        var seen = "";
        try
        {
            await Wait.Until(async () =>
            {
                var views = new List<(int[] Partitions, string[] Shards)>();
                foreach (var node in nodes)
                {
                    var ingest = (await node.InfoAsync()).GetProperty("ingest");
                    var partitions = ingest.ValueKind == JsonValueKind.Object
                        ? ingest.GetProperty("assigned_partitions").EnumerateArray().Select(p => p.GetInt32()).Order().ToArray() : [];
                    var stats = await node.Http.GetFromJsonAsync<JsonElement>("/admin/v1/sharding/regions/user/stats");
                    var shards = stats.GetProperty("shards").EnumerateArray().Select(x => x.GetProperty("shard_id").GetString()!).Order().ToArray();
                    views.Add((partitions, shards));
                }
                seen = string.Join("; ", views.Select((v, i) => $"node {i + 1}: partitions [{string.Join(",", v.Partitions)}] shards [{string.Join(",", v.Shards)}]"));
                return views.SelectMany(v => v.Partitions).Order().SequenceEqual(Enumerable.Range(0, Partitions))
                       && views.All(v => v.Shards.SequenceEqual(v.Partitions.Select(p => p.ToString()).Order()));
            }, Patience, $"each of {nodes.Count} nodes to host the shards of exactly the partitions it consumes");
        }
        finally
        {
            output.WriteLine($"alignment: {seen}");
        }
    }

    private static Dictionary<TopicPartition, long> EndOffsets(string bootstrap)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "dmp-ingest" }).Build();
        return Enumerable.Range(0, Partitions).Select(p => new TopicPartition("dmp.events", p))
            .ToDictionary(tp => tp, tp => reader.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value);
    }

    private static async Task WaitUntilCommitted(string bootstrap, IReadOnlyDictionary<TopicPartition, long> ends)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "dmp-ingest" }).Build();
        await Wait.Until(() =>
        {
            var committed = reader.Committed(ends.Keys, TimeSpan.FromSeconds(5));
            return Task.FromResult(committed.All(c => ends[c.TopicPartition] == 0 || c.Offset.Value >= ends[c.TopicPartition]));
        }, Patience, "the ingest group to commit every partition up to the given offsets");
    }

    /// <summary>Page views for users u0..u89, a few hundred per second, each user's count kept.</summary>
    private sealed class Traffic(IProducer<byte[]?, byte[]> producer)
    {
        private readonly long[] _sent = new long[Users];
        private long _total;

        public long Sent => Interlocked.Read(ref _total);
        public long SentTo(int user) => Interlocked.Read(ref _sent[user]);

        public async Task RunAsync(CancellationToken stop)
        {
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                for (var u = 0; u < Users; u++)
                {
                    var user = u;
                    var value = Events.PageView($"c-{round}-{u}", $"u{u}");
                    // Counted only once the broker has it: a produce error would otherwise be miscounted as a loss.
                    producer.Produce("dmp.events", new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes($"u{u}"), Value = Encoding.UTF8.GetBytes(value) },
                        report =>
                        {
                            if (report.Error.IsError) return;
                            Interlocked.Increment(ref _sent[user]);
                            Interlocked.Increment(ref _total);
                        });
                }
                round++;
                try { await Task.Delay(200, stop); } catch (OperationCanceledException) { }
            }
        }
    }
}
