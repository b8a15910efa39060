using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using DmpActors.Kafka.Embedded;
using static DmpActors.Kafka.Tests.KafkaTestSupport;

namespace DmpActors.Kafka.Tests;

public sealed class EmbeddedKafkaBrokerSpecs
{
    [Fact]
    public async Task Consumers_of_the_embedded_broker_hold_an_empty_fetch_5_ms_and_of_other_brokers_100_ms()
    {
        // The mock cluster answers an empty fetch only after its whole wait, even when records arrive meanwhile.
        var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" });
        var direct = broker.DirectBootstrapServers.Split(',')[0];
        try
        {
            Assert.Equal(5, new Settings.ConsumerSettings(broker.BootstrapServers, "g").ToConsumerConfig().FetchWaitMaxMs);
            Assert.Equal(5, new Settings.ConsumerSettings($"kafka-1:9092,{direct}", "g").ToConsumerConfig().FetchWaitMaxMs);
            Assert.Equal(100, new Settings.ConsumerSettings("kafka-1:9092", "g").ToConsumerConfig().FetchWaitMaxMs);
            // An explicit setting, and then a raw property, win
            Assert.Equal(20, new Settings.ConsumerSettings(broker.BootstrapServers, "g").WithFetchWaitMax(TimeSpan.FromMilliseconds(20)).ToConsumerConfig().FetchWaitMaxMs);
            Assert.Equal(50, new Settings.ConsumerSettings(broker.BootstrapServers, "g").WithFetchWaitMax(TimeSpan.FromMilliseconds(20))
                .WithProperty("fetch.wait.max.ms", "50").ToConsumerConfig().FetchWaitMaxMs);
        }
        finally
        {
            await broker.DisposeAsync();
        }
        // A stopped broker's address is an ordinary one again
        Assert.Equal(100, new Settings.ConsumerSettings(broker.BootstrapServers, "g").ToConsumerConfig().FetchWaitMaxMs);
    }

    [KcatFact]
    public async Task Broker_serves_kcat_through_the_fixed_address_in_both_directions()
    {
        var kcat = FindOnPath("kcat");

        // Given a broker with a 3-partition topic
        var topic = Unique("kcat");
        var back = Unique("kcat-back");
        await using var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic(topic, 3).WithTopic(back, 1));
        Assert.NotEqual(broker.BootstrapServers, broker.DirectBootstrapServers);

        // When kcat asks the fixed address for metadata, then it sees the topic with its partitions
        var (code, metadata, err) = await RunAsync(kcat!, $"-b {broker.BootstrapServers} -L -t {topic}");
        Assert.True(code == 0, err);
        Assert.Contains($"topic \"{topic}\" with 3 partitions", metadata);

        // When kcat produces, then a Confluent consumer reads the record
        (code, _, err) = await RunAsync(kcat!, $"-b {broker.BootstrapServers} -P -t {topic} -p 1", stdin: "hello-from-kcat\n");
        Assert.True(code == 0, err);
        using (var consumer = new ConsumerBuilder<byte[]?, byte[]>(Consumer(broker, Unique("g")).ToConsumerConfig()).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 1, Offset.Beginning));
            var record = consumer.Consume(TimeSpan.FromSeconds(10));
            Assert.NotNull(record);
            Assert.Equal("hello-from-kcat", Encoding.UTF8.GetString(record.Message.Value));
        }

        // When .NET produces, then kcat consumes it
        using (var producer = Producer(broker))
            await producer.ProduceAsync(back, new Message<byte[]?, byte[]> { Value = "hello-from-dotnet"u8.ToArray() });
        (code, var consumed, err) = await RunAsync(kcat!, $"-b {broker.BootstrapServers} -C -t {back} -o beginning -c 1 -e -f %s");
        Assert.True(code == 0, err);
        Assert.Equal("hello-from-dotnet", consumed.Trim());
    }

    [Fact]
    public void Broker_fails_with_the_address_when_the_fixed_port_is_taken()
    {
        var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        try
        {
            var address = $"127.0.0.1:{((IPEndPoint)squatter.LocalEndpoint).Port}";
            var error = Assert.Throws<InvalidOperationException>(() =>
                EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = address }));
            Assert.Contains(address, error.Message);
        }
        finally
        {
            squatter.Stop();
        }
    }

    [Fact]
    public async Task Broker_creates_topics_with_the_requested_partition_count()
    {
        await using var broker = StartBroker(brokers: 3);
        var topic = Unique("parts");
        broker.CreateTopic(topic, 6);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Brokers.Count);
        Assert.Equal(6, metadata.Topics.Single().Partitions.Count);
    }
}

/// <summary>A fact skipped (visibly) when kcat is not on PATH; CI installs it.</summary>
public sealed class KcatFactAttribute : FactAttribute
{
    public KcatFactAttribute()
    {
        if (FindOnPath("kcat") is null) Skip = "kcat is not installed (apt-get install -y kcat)";
    }
}
