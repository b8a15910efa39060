using Akka;
using Confluent.Kafka;

namespace DmpActors.Kafka.Messages;

/// <summary>A record to produce, carrying a value passed through to its <see cref="ProducerResult{TPass}"/>.</summary>
public sealed record ProducerMessage<TPass>(string Topic, byte[]? Key, byte[] Value, TPass PassThrough, Headers? Headers = null);

public static class ProducerMessage
{
    public static ProducerMessage<NotUsed> Create(string topic, byte[]? key, byte[] value, Headers? headers = null) =>
        new(topic, key, value, NotUsed.Instance, headers);
}

/// <summary>Where a record was written (partition and offset) and its pass-through value.</summary>
public sealed record ProducerResult<TPass>(DeliveryResult<byte[]?, byte[]> Delivery, TPass PassThrough)
{
    public TopicPartitionOffset TopicPartitionOffset => Delivery.TopicPartitionOffset;
}
