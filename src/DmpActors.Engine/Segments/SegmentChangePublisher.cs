using System.Text;
using Confluent.Kafka;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Segments;

/// <summary>
/// Publishes an entity's durable segment changes: to the changes topic (when there is a producer), and once Kafka
/// acknowledged every one of them, to the in-process <see cref="SegmentChangeHub"/>. The task fails if any change was
/// not acknowledged; the entity keeps them in its outbox and tries again.
/// </summary>
public sealed class SegmentChangePublisher(SegmentChangeHub hub, IProducer<byte[]?, byte[]>? producer = null, string? topic = null)
{
    public const string ChangeIdHeader = "dmp-change-id";

    public SegmentChangeHub Hub { get; } = hub;

    public async Task PublishAsync(IReadOnlyList<SegmentChange> changes)
    {
        if (producer is not null && topic is not null)
        {
            var deliveries = new Task[changes.Count];
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                deliveries[i] = producer.ProduceAsync(topic, new Message<byte[]?, byte[]>
                {
                    Key = Encoding.UTF8.GetBytes(change.UserId),
                    Value = SegmentChangeJson.Write(change),
                    Headers = new Headers { { ChangeIdHeader, Encoding.ASCII.GetBytes(change.ChangeId) } },
                });
            }

            try
            {
                await Task.WhenAll(deliveries);
            }
            catch
            {
                DmpMetrics.SegmentPublishFailures.Add(1);
                throw;
            }
        }

        foreach (var change in changes) Hub.Publish(change);
    }
}
