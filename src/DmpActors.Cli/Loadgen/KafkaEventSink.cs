using Confluent.Kafka;
using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>Produces events keyed by user to a Kafka topic, tuned for throughput with ordering kept per key.</summary>
public sealed class KafkaEventSink : IEventSink
{
    private readonly LoadgenTarget.Kafka _target;
    private readonly IProducer<string?, byte[]> _producer;
    private readonly Action<DeliveryReport<string?, byte[]>> _onDelivery;
    private long _delivered;
    private long _failed;
    private volatile string? _lastError;

    public KafkaEventSink(LoadgenTarget.Kafka target)
    {
        _target = target;
        var config = new ProducerConfig
        {
            BootstrapServers = target.Bootstrap,
            ClientId = "dmpctl-loadgen",
            // Kafka's default partitioner: each user's events land on the partition the engine hosts that user's shard for.
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
            BatchSize = 1_000_000,
            BatchNumMessages = 10_000,
            CompressionType = CompressionType.None,
            Acks = Acks.All,
            EnableIdempotence = true,
            QueueBufferingMaxMessages = 500_000,
            MessageTimeoutMs = 30_000,
        };
        _producer = new ProducerBuilder<string?, byte[]>(config)
            // librdkafka logs every failed connection attempt; keep the last one for our own one-line message.
            .SetLogHandler((_, message) => { if (message.Level <= SyslogLevel.Warning) _lastError = message.Message; })
            .SetErrorHandler((_, error) => _lastError = error.Reason)
            .Build();
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                _lastError = report.Error.Reason;
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        };
    }

    public long Delivered => Interlocked.Read(ref _delivered);
    public long Rejected => 0;
    public long Failed => Interlocked.Read(ref _failed);
    public string? LastError => _lastError;

    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await Task.Run(() =>
            {
                using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
                return admin.GetMetadata(_target.Topic, timeout);
            }, cancellationToken);
            if (metadata.Brokers.Count == 0)
                throw new TargetUnreachableException($"cannot reach Kafka at {_target.Bootstrap}: no brokers in metadata");
            var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _target.Topic);
            // LeaderNotAvailable is what a broker answers while it auto-creates the topic: not fatal.
            if (topic?.Error is { IsError: true, Code: not ErrorCode.LeaderNotAvailable } topicError)
                throw new TargetUnreachableException($"Kafka at {_target.Bootstrap} refuses topic {_target.Topic}: {topicError.Reason}");
        }
        catch (KafkaException e)
        {
            var detail = _lastError is { } last ? $" ({last})" : "";
            throw new TargetUnreachableException(
                $"cannot reach Kafka at {_target.Bootstrap}: metadata not fetched within {timeout.TotalSeconds:0.#}s: {e.Error.Reason}{detail}");
        }
    }

    public ValueTask SendAsync(GeneratedEvent generated, CancellationToken cancellationToken)
    {
        var message = new Message<string?, byte[]> { Key = generated.Key.Length == 0 ? null : generated.Key, Value = generated.Json };
        while (true)
        {
            try
            {
                _producer.Produce(_target.Topic, message, _onDelivery);
                return ValueTask.CompletedTask;
            }
            catch (ProduceException<string?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: serve delivery reports until the local queue has room.
                cancellationToken.ThrowIfCancellationRequested();
                _producer.Poll(TimeSpan.FromMilliseconds(20));
            }
        }
    }

    public ValueTask IdleAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run(() => _producer.Flush(timeout), cancellationToken);

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
