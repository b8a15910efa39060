namespace DmpActors.Kafka.Embedded;

/// <summary>A topic the embedded broker creates at start-up.</summary>
public sealed record EmbeddedTopic(string Name, int Partitions);

/// <summary>
/// Options of <see cref="EmbeddedKafkaBroker"/>. The broker is librdkafka's in-process mock cluster:
/// data lives in memory only, and a consumer-group rebalance completes only after the members'
/// max.poll.interval.ms (use <see cref="Settings.ConsumerSettings"/> defaults: 10 s / 6 s session).
/// </summary>
public sealed record EmbeddedBrokerOptions
{
    /// <summary>Number of mock brokers (ids 1..Brokers).</summary>
    public int Brokers { get; init; } = 1;

    /// <summary>
    /// Fixed "host:port" that clients bootstrap through (a loopback forwarder to broker 1).
    /// Port 0 picks a free port (tests use this).
    /// </summary>
    public string ListenAddress { get; init; } = "127.0.0.1:9092";

    /// <summary>Topics created at start-up; a partition count of 0 means <see cref="DefaultPartitions"/>.</summary>
    public IReadOnlyList<EmbeddedTopic> Topics { get; init; } = [];

    /// <summary>Partitions of topics created without an explicit count.</summary>
    public int DefaultPartitions { get; init; } = 4;

    /// <summary>
    /// Delay before the first rebalance of a new group (Kafka's group.initial.rebalance.delay.ms).
    /// Zero keeps tests and local runs snappy.
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.Zero;

    public EmbeddedBrokerOptions WithTopic(string name, int partitions = 0) =>
        this with { Topics = [.. Topics, new EmbeddedTopic(name, partitions)] };

    public EmbeddedBrokerOptions WithListenAddress(string address) => this with { ListenAddress = address };

    public EmbeddedBrokerOptions WithBrokers(int brokers) => this with { Brokers = brokers };
}
