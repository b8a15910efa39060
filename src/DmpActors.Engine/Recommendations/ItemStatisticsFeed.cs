using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Recommendations;

/// <summary>
/// Keeps the item statistics up to date from the events topic: a consumer under this node's own group
/// (<c>{GroupPrefix}-{host}-{port}</c>) that never commits, so every start reads the retained log from its beginning
/// and every node holds the statistics of all partitions (a recommendation is answered where it is asked, with no
/// hop). It reads beside the ingest rather than inside it: the user entities and the ingest's checkpoints are left
/// alone, and a slow statistics fold can never hold back durable ingest. Invalid events are skipped (the ingest
/// dead-letters them). Restarts with backoff on any failure.
/// </summary>
public sealed class ItemStatisticsFeed : IAsyncDisposable
{
    private readonly UniqueKillSwitch _kill;
    private readonly Task _completion;

    private ItemStatisticsFeed(UniqueKillSwitch kill, Task completion)
    {
        _kill = kill;
        _completion = completion;
    }

    public static ItemStatisticsFeed Start(ActorSystem system, ConsumerSettings consumer, string topic, int batch,
        Action<IReadOnlyList<(UserEvent Event, long RecordUnixMs)>> fold, TimeProvider clock, ILogger log) =>
        Start(system, consumer, topic, batch, record => Parse(record, clock), fold, log);

    /// <summary>The same feed over any record type: <paramref name="parse"/> gives null for a record to skip.</summary>
    public static ItemStatisticsFeed Start<T>(ActorSystem system, ConsumerSettings consumer, string topic, int batch,
        Func<ConsumeResult<byte[]?, byte[]>, T?> parse, Action<IReadOnlyList<(T Record, long RecordUnixMs)>> fold, ILogger log)
        where T : class
    {
        var source = RestartSource.OnFailuresWithBackoff(
            () => KafkaConsumer.PlainSource(consumer, topic)
                .Select(record => (Record: parse(record), Ms: record.Message.Timestamp.UnixTimestampMs))
                .Where(e => e.Record is not null)
                .GroupedWithin(batch, TimeSpan.FromMilliseconds(5))
                .Select(records =>
                {
                    fold(records.Select(e => (e.Record!, e.Ms)).ToArray());
                    return NotUsed.Instance;
                })
                .MapMaterializedValue(_ => NotUsed.Instance),
            RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2));
        var (kill, completion) = source
            .ViaMaterialized(KillSwitches.Single<NotUsed>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(system.Materializer());
        completion.ContinueWith(t =>
        {
            if (t.IsFaulted) log.LogError(t.Exception, "The item statistics feed stopped");
        }, TaskScheduler.Default);
        return new ItemStatisticsFeed(kill, completion);
    }

    private static UserEvent? Parse(ConsumeResult<byte[]?, byte[]> record, TimeProvider clock)
    {
        if (record.Message.Value is null) return null;
        var result = EventParser.ParseRecord(record.Message.Value, record.Message.Timestamp.UnixTimestampMs, clock.GetUtcNow());
        return result.IsValid ? result.Event : null;
    }

    public async ValueTask DisposeAsync()
    {
        _kill.Shutdown();
        try
        {
            await _completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // stopping: a failed or slow completion changes nothing now
        }
    }
}
