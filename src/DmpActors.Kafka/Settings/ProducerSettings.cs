using System.Collections.Immutable;
using Confluent.Kafka;

namespace DmpActors.Kafka.Settings;

/// <summary>
/// Immutable producer settings. Defaults favour throughput with safety: acks=all, idempotence on
/// (so retries neither duplicate nor reorder), a few ms of linger to fill batches, lz4.
/// </summary>
public sealed record ProducerSettings
{
    public ProducerSettings(string bootstrapServers)
    {
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; init; }
    public string? ClientId { get; init; }
    public Acks Acks { get; init; } = Acks.All;
    public bool EnableIdempotence { get; init; } = true;
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);
    public int BatchSize { get; init; } = 1_000_000;
    public CompressionType CompressionType { get; init; } = CompressionType.Lz4;

    /// <summary>Kafka's default (Java's murmur2) rather than librdkafka's CRC32: see <see cref="Dsl.KafkaPartitioner"/>.</summary>
    public Partitioner Partitioner { get; init; } = Partitioner.Murmur2Random;

    /// <summary>Records handed to librdkafka but not yet acknowledged, per stage.</summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>How long the stage waits for outstanding deliveries when the stream completes.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Any librdkafka producer property; applied after the typed settings.</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    public ProducerSettings WithBootstrapServers(string bootstrapServers) => this with { BootstrapServers = bootstrapServers };
    public ProducerSettings WithClientId(string clientId) => this with { ClientId = clientId };
    public ProducerSettings WithProperty(string key, string value) => this with { Properties = Properties.SetItem(key, value) };
    public ProducerSettings WithLinger(TimeSpan linger) => this with { Linger = linger };
    public ProducerSettings WithAcks(Acks acks) => this with { Acks = acks };
    public ProducerSettings WithMaxInFlight(int maxInFlight) => this with { MaxInFlight = maxInFlight };

    public ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            Acks = Acks,
            EnableIdempotence = EnableIdempotence,
            LingerMs = Linger.TotalMilliseconds,
            BatchSize = BatchSize,
            CompressionType = CompressionType,
            Partitioner = Partitioner,
            QueueBufferingMaxMessages = Math.Max(100_000, MaxInFlight * 2),
        };
        if (ClientId is not null) config.ClientId = ClientId;
        foreach (var (key, value) in Properties)
            config.Set(key, value);
        return config;
    }

    public IProducer<byte[]?, byte[]> CreateProducer() =>
        new ProducerBuilder<byte[]?, byte[]>(ToProducerConfig()).Build();
}
