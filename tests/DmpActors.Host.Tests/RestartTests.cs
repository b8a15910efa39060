using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Host.Tests;

/// <summary>The host as a real process, killed with SIGKILL and restarted on the same data directory.</summary>
public sealed class RestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static async Task AssertProfile(HttpClient http, string user, long views, long purchases, decimal revenue)
    {
        var response = await http.GetAsync($"/v1/profiles/{user}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user}: {response.StatusCode}");
        var p = await response.Content.ReadFromJsonAsync<JsonElement>();
        var counts = p.GetProperty("event_counts");
        var actualViews = counts.TryGetProperty("page_view", out var v) ? v.GetInt64() : 0;
        // One string per user, so a failure names the user and every field at once.
        Assert.Equal($"{user}: views={views} orders={purchases} revenue={revenue:0.####} applied={views + purchases}",
            $"{user}: views={actualViews} orders={p.GetProperty("orders").GetInt64()} revenue={p.GetProperty("total_revenue").GetDecimal():0.####} applied={p.GetProperty("events_applied").GetInt64()}");
    }

    [Fact]
    public async Task Embedded_mode_profiles_that_were_checkpointed_survive_kill_9_and_new_events_still_count()
    {
        using var data = new TempDir();
        // Port 0: each life's embedded broker binds a free port (its log starts empty either way).
        string[] settings = ["--Dmp:Kafka:BootstrapServers=127.0.0.1:0", "--Dmp:Node:Port=0",
            $"--Dmp:Storage:DataDirectory={data.Path}", "--Dmp:Ingest:CheckpointInterval=00:00:00.200"];
        const int users = 20;

        await using (var first = await HostProcess.StartAsync(settings))
        {
            var batch = Enumerable.Range(0, users).SelectMany(u => new[]
            {
                Events.PageView($"a-{u}-1", $"u{u}"), Events.PageView($"a-{u}-2", $"u{u}"), Events.Purchase($"a-{u}-3", $"u{u}", 5m),
            });
            var response = await first.Http.PostAsync("/v1/events", Events.Batch(batch));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await Wait.Until(async () =>
                (await first.InfoAsync()).GetProperty("ingest").GetProperty("records_checkpointed").GetInt64() >= users * 3,
                Patience, "every posted event to be checkpointed");
            await first.KillAsync();
        }

        await using var second = await HostProcess.StartAsync(settings);
        for (var u = 0; u < users; u++) await AssertProfile(second.Http, $"u{u}", 2, 1, 5m);

        // The embedded broker's log restarted empty: new events (from offset 0 again) must still count.
        var more = Enumerable.Range(0, users).Select(u => Events.PageView($"b-{u}", $"u{u}"));
        Assert.Equal(HttpStatusCode.Accepted, (await second.Http.PostAsync("/v1/events", Events.Batch(more))).StatusCode);
        // Users hash to different partitions, consumed independently: wait for each one, not just the last.
        for (var u = 0; u < users; u++)
        {
            await Wait.ForProfile(second.Http, $"u{u}", p => p.GetProperty("events_applied").GetInt64() == 4, Patience);
            await AssertProfile(second.Http, $"u{u}", 3, 1, 5m);
        }
    }

    [Fact]
    public async Task With_an_external_broker_a_host_killed_mid_stream_loses_nothing_and_counts_nothing_twice()
    {
        using var data = new TempDir();
        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic("dmp.events", 3).WithTopic("dmp.events.dlq", 3));
        string[] settings = ["--Dmp:Kafka:Embedded=false", $"--Dmp:Kafka:BootstrapServers={broker.BootstrapServers}",
            "--Dmp:Node:Port=0", $"--Dmp:Storage:DataDirectory={data.Path}", "--Dmp:Ingest:CheckpointInterval=00:00:00.300",
            "--Dmp:Admin:ApiKey=restart-test-admin-key"];
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5 }).Build();
        const int users = 50;
        var views = new long[users];
        void Wave(int wave, int perUser)
        {
            for (var i = 0; i < perUser; i++)
                for (var u = 0; u < users; u++)
                {
                    producer.Produce("dmp.events", new Message<byte[]?, byte[]>
                    {
                        Key = Encoding.UTF8.GetBytes($"u{u}"), Value = Encoding.UTF8.GetBytes(Events.PageView($"w{wave}-{u}-{i}", $"u{u}")),
                    });
                    views[u]++;
                }
            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await using (var first = await HostProcess.StartAsync(settings))
        {
            Wave(1, 40);
            await Wait.Until(async () => (await first.InfoAsync()).GetProperty("ingest").GetProperty("checkpoints").GetInt64() > 0,
                Patience, "a first checkpoint");
            Wave(2, 40);
            await first.KillAsync(); // mid-stream: some of wave 2 is applied in memory only, some not consumed yet
        }
        Wave(3, 10);

        await using var second = await HostProcess.StartAsync(settings);
        using var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "probe" }).Build();
        var end = Enumerable.Range(0, 3).Select(p => probe.QueryWatermarkOffsets(new TopicPartition("dmp.events", p), TimeSpan.FromSeconds(10)).High.Value).ToArray();
        await Wait.Until(async () =>
        {
            var next = (await second.InfoAsync()).GetProperty("ingest").GetProperty("next_offset_by_partition");
            return Enumerable.Range(0, 3).All(p => next.TryGetProperty(p.ToString(), out var o) && o.GetInt64() == end[p]);
        }, Patience, "the restarted host to checkpoint to the end of the topic");
        for (var u = 0; u < users; u++) await AssertProfile(second.Http, $"u{u}", views[u], 0, 0m);
    }
}
