using System.Text;
using Confluent.Kafka;
using DmpActors.Engine.Hosting;
using DmpActors.Kafka.Embedded;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Engine.Tests.Support;

/// <summary>A real embedded broker and a real SQLite file; engines start and stop on them.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly IProducer<byte[]?, byte[]> _producer;

    public EngineHarness(int partitions = 4)
    {
        Broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }
            .WithTopic("dmp.events", partitions)
            .WithTopic("dmp.events.dlq", partitions)
            .WithTopic("dmp.segment-changes", partitions)
            .WithTopic("dmp.offers", partitions));
        _producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = Broker.BootstrapServers, EnableIdempotence = true, LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random, // as the collector's producer: a user's partition is the user's shard
        }).Build();
    }

    public EmbeddedKafkaBroker Broker { get; }
    public string DataDirectory => _dir.Path;
    public ILoggerFactory Logs { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Set to a connection string to run the engine on PostgreSQL instead of SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    public DmpOptions Options(Action<DmpOptions>? tweak = null)
    {
        var options = new DmpOptions();
        options.Node.Port = 0;
        options.Kafka.Embedded = true;
        options.Kafka.BootstrapServers = Broker.BootstrapServers;
        options.Kafka.LogGeneration = 1;
        options.Storage.DataDirectory = _dir.Path;
        if (PostgresConnectionString is not null)
        {
            options.Storage.Provider = "postgresql";
            options.Storage.ConnectionString = PostgresConnectionString;
        }
        options.Ingest.CheckpointInterval = TimeSpan.FromMilliseconds(200);
        options.Ingest.AckTimeout = TimeSpan.FromSeconds(10);
        options.Ingest.CheckpointTimeout = TimeSpan.FromSeconds(10);
        options.Ingest.MaxRestartBackoff = TimeSpan.FromSeconds(1);
        tweak?.Invoke(options);
        return options;
    }

    /// <summary>Engine config for crash tests: terminating the actor system skips the graceful hand-off that saves dirty profiles.</summary>
    public static readonly Akka.Configuration.Config NoGracefulStop =
        Akka.Configuration.ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");

    /// <summary>A crash of an engine started with <see cref="NoGracefulStop"/>: the actor system dies, nothing is saved on the way out.</summary>
    public static async Task CrashAsync(DmpEngine engine)
    {
        await engine.System.Terminate();
        if (engine.Ingest is { } ingest) await ingest.DisposeAsync();
        engine.Producer.Dispose();
        await engine.Store.DisposeAsync();
    }

    public Task<DmpEngine> StartEngineAsync(DmpOptions? options = null, Akka.Configuration.Config? extra = null, EngineHooks? hooks = null) =>
        DmpEngine.StartAsync(options ?? Options(), Broker.BootstrapServers, freshLog: false, Logs, extraConfig: extra, hooks: hooks);

    /// <summary>Waits until the engine has committed every record produced so far.</summary>
    public async Task WaitUntilCommittedToEndAsync(DmpEngine engine, int partitions, TimeSpan? patience = null)
    {
        var seen = "";
        try
        {
            await Eventually.True(() =>
            {
                var end = EndOffsets(partitions);
                var committed = engine.Ingest!.Status.NextOffsetByPartition;
                seen = string.Join(", ", end.OrderBy(e => e.Key).Select(e => $"p{e.Key} {committed.GetValueOrDefault(e.Key)}/{e.Value}"));
                return end.All(e => e.Value == 0 || committed.GetValueOrDefault(e.Key) == e.Value);
            }, patience ?? TimeSpan.FromSeconds(60), "the ingest to checkpoint every produced record");
        }
        catch (Xunit.Sdk.FailException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} (committed/end: {seen}; ingest: {engine.Ingest!.Status.LastError})");
        }
    }

    /// <summary>Reads the dead-letter topic from the start until <paramref name="expected"/> letters arrived (or time is up).</summary>
    public IReadOnlyList<Message<byte[]?, byte[]>> ReadDeadLetters(int expected, TimeSpan? patience = null)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Broker.BootstrapServers, GroupId = "dlq-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("dmp.events.dlq");
        var letters = new List<Message<byte[]?, byte[]>>();
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(60));
        while (letters.Count < expected && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r) letters.Add(r.Message);
        return letters;
    }

    public static string? Header(Message<byte[]?, byte[]> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Produces one record; the result says where the broker acknowledged it (partition, offset).</summary>
    public Task<DeliveryResult<byte[]?, byte[]>> ProduceAsync(string userId, byte[]? value, string topic = "dmp.events") =>
        _producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(userId), Value = value! });

    public void Produce(string userId, byte[] value, string topic = "dmp.events") =>
        _producer.Produce(topic, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(userId), Value = value });

    public void Flush() => _producer.Flush(TimeSpan.FromSeconds(30));

    /// <summary>Committed offset (next to read) per partition for the ingest group.</summary>
    public IReadOnlyDictionary<int, long> Committed(string group, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = group }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition("dmp.events", p)), TimeSpan.FromSeconds(10));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }

    public IReadOnlyDictionary<int, long> EndOffsets(int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = "probe" }).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition("dmp.events", p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>The oldest offset the broker still holds of a partition of the events topic.</summary>
    public long LowWatermark(int partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = "probe" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition("dmp.events", partition), TimeSpan.FromSeconds(10)).Low.Value;
    }

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await Broker.DisposeAsync();
        _dir.Dispose();
    }
}
