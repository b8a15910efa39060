using System.Text;
using Confluent.Kafka;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Publishes a rejected record to the dead-letter topic: the original key and bytes, the reason as
/// headers (machine-readable code, human detail, where it came from). Its offset is committed only
/// after the dead letter is acknowledged, so a rejected event is never dropped silently.
/// </summary>
public sealed class DeadLetterPublisher(IProducer<byte[]?, byte[]> producer, string topic)
{
    public const string ReasonHeader = "dmp-reject-reason";
    public const string DetailHeader = "dmp-reject-detail";
    public const string SourceHeader = "dmp-source";

    public async Task PublishAsync(IngestRecord record)
    {
        var rejection = record.Rejection;
        var headers = new Headers
        {
            { ReasonHeader, Encoding.UTF8.GetBytes(rejection.Code) },
            { DetailHeader, Encoding.UTF8.GetBytes(rejection.Detail) },
            { SourceHeader, Encoding.UTF8.GetBytes($"{record.Offset.TopicPartition.Topic}/{record.Position.Partition}/{record.Position.Offset}") },
        };
        // Whoever reads the dead letters continues the record's trace.
        if (record.Span?.Id is { } traceParent) headers.Add(DmpTracing.TraceParentHeader, Encoding.ASCII.GetBytes(traceParent));
        await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = record.Key, Value = record.Value, Headers = headers });
        DmpMetrics.EventsRejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
    }
}
