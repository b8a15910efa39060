using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using DmpActors.Kafka.Stages;

namespace DmpActors.Kafka.Dsl;

/// <summary>Kafka producer stages. Results come out in input order; a failed delivery fails the stream.</summary>
public static class KafkaProducer
{
    /// <summary>Produces with a producer created (and disposed) per materialization.</summary>
    public static Flow<ProducerMessage<TPass>, ProducerResult<TPass>, NotUsed> FlowWithPassThrough<TPass>(ProducerSettings settings, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Flow.FromGraph(new ProducerStage<TPass>(settings.CreateProducer, ownsProducer: true,
            parallelism ?? settings.MaxInFlight, settings.FlushTimeout));
    }

    /// <summary>Produces through a shared producer owned by the host (not disposed by the stage).</summary>
    public static Flow<ProducerMessage<TPass>, ProducerResult<TPass>, NotUsed> FlowWithPassThrough<TPass>(IProducer<byte[]?, byte[]> producer, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return Flow.FromGraph(new ProducerStage<TPass>(() => producer, ownsProducer: false, parallelism, TimeSpan.Zero));
    }

    /// <summary>Produces everything; the task completes when every record is acknowledged.</summary>
    public static Sink<ProducerMessage<NotUsed>, Task<Done>> PlainSink(ProducerSettings settings) =>
        FlowWithPassThrough<NotUsed>(settings).ToMaterialized(Sink.Ignore<ProducerResult<NotUsed>>(), Keep.Right);

    public static Sink<ProducerMessage<NotUsed>, Task<Done>> PlainSink(IProducer<byte[]?, byte[]> producer, int parallelism = 10_000) =>
        FlowWithPassThrough<NotUsed>(producer, parallelism).ToMaterialized(Sink.Ignore<ProducerResult<NotUsed>>(), Keep.Right);
}
