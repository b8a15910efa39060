using System.Text;
using Confluent.Kafka;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Settings;
using Xunit.Abstractions;
using static DmpActors.Kafka.Tests.KafkaTestSupport;

namespace DmpActors.Kafka.Tests;

public sealed class KafkaPartitionerSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    [Theory]
    // Kafka's own vectors (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2).
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_Kafka_bit_for_bit(string key, int expected) =>
        Assert.Equal(expected, KafkaPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task A_key_lands_on_the_partition_the_function_names_when_produced_with_Kafka_s_default_partitioner()
    {
        // Given a topic with 7 partitions and a producer on the DSL's default settings (murmur2_random)
        var topic = Unique("partitioner");
        _broker.CreateTopic(topic, 7);
        using var producer = new ProducerSettings(_broker.BootstrapServers).CreateProducer();
        var keys = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? $"anon-ü-{i}" : $"u{i:D7}").Append(new string('k', 300)).ToList();

        // When each key is produced
        var placed = new List<(string Key, int Partition)>();
        foreach (var key in keys)
        {
            var result = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = [1] });
            placed.Add((key, result.Partition.Value));
        }

        // Then the broker has every record on the partition computed from its key alone, and all partitions are used
        Assert.All(placed, p => Assert.Equal(p.Partition, KafkaPartitioner.PartitionOf(p.Key, 7)));
        Assert.Equal(7, placed.Select(p => p.Partition).Distinct().Count());
    }
}
