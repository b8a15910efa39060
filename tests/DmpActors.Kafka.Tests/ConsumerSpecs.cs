using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Embedded;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using Xunit.Abstractions;
using static DmpActors.Kafka.Tests.KafkaTestSupport;

namespace DmpActors.Kafka.Tests;

public sealed class ConsumerSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CommittableSource_reads_every_record_in_partition_order_and_commits_offset_plus_one()
    {
        // Given 3000 records over 3 partitions
        var topic = Unique("order");
        var group = Unique("g");
        _broker.CreateTopic(topic, 3);
        Produce(_broker, topic, 3, 3000);

        // When a committable source feeds the committer
        var received = new ConcurrentQueue<(int Partition, long Offset, int Value)>();
        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Select(m =>
            {
                received.Enqueue((m.Record.Partition.Value, m.Record.Offset.Value, ValueOf(m.Record)));
                return (ICommittable)m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(100).WithMaxInterval(TimeSpan.FromMilliseconds(200))), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count >= 3000, Timeout, "all records received");
        await control.DrainAndShutdown(done);

        // Then every partition came in order, complete and without duplicates
        Assert.Equal(3000, received.Count);
        foreach (var partition in received.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), partition.Select(r => r.Offset));
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 3 + partition.Key), partition.Select(r => r.Value));
        }

        // And the group's committed position is last offset + 1 on each partition
        using (var probe = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, group).ToConsumerConfig()).Build())
        {
            var committed = probe.Committed(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
            Assert.All(committed, c => Assert.Equal(1000, c.Offset.Value));
        }

        // And a new member of the group resumes exactly after the committed records
        Produce(_broker, topic, 3, 30, startAt: 3000);
        var resumed = new ConcurrentQueue<int>();
        var (control2, done2) = KafkaConsumer.PlainSource(Consumer(_broker, group), topic)
            .Select(r => { resumed.Enqueue(ValueOf(r)); return NotUsed.Instance; })
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => resumed.Count >= 30, Timeout, "new records received");
        await control2.DrainAndShutdown(done2);
        Assert.Equal(Enumerable.Range(3000, 30), resumed.Order());
    }

    [Fact]
    public async Task Slow_downstream_never_buffers_beyond_the_bound_nor_reads_ahead()
    {
        // Given 50k records on one partition and a 500-record bound
        var topic = Unique("bp");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 50_000, payloadBytes: 100);
        const int bound = 500;

        // When downstream takes ~1000 records/s
        var received = new ConcurrentQueue<int>();
        var (control, done) = KafkaConsumer.PlainSource(Consumer(_broker, Unique("g")).WithMaxBufferPerPartition(bound), topic)
            .Throttle(10, TimeSpan.FromMilliseconds(10), 10, ThrottleMode.Shaping)
            .Select(r => { received.Enqueue(ValueOf(r)); return NotUsed.Instance; })
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count >= 3000, Timeout, "3000 records downstream");

        // Then the consumer took from Kafka no more than what went downstream plus one buffer
        var metrics = control.Metrics;
        var seen = received.Count;
        await control.DrainAndShutdown(done);
        Assert.InRange(metrics.MaxBufferedPerPartitionObserved, 1, bound);
        Assert.True(metrics.RecordsConsumed <= seen + bound + 10,
            $"consumed {metrics.RecordsConsumed} with {seen} downstream: the consumer read ahead past its bound");
        // And waiting neither lost nor repeated a record
        Assert.Equal(Enumerable.Range(0, received.Count), received);
    }

    [Fact]
    public async Task A_stalled_downstream_gets_its_partition_paused_and_the_consumer_stays_in_its_group()
    {
        // Given a short max.poll.interval, so a stall that long would cost the group membership
        var topic = Unique("stall");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 2_000, payloadBytes: 100);
        var settings = Consumer(_broker, Unique("g")).WithMaxBufferPerPartition(100)
            .WithGroupTimeouts(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(6));

        // When nobody pulls
        var (control, queue) = KafkaConsumer.PlainSource(settings, topic)
            .ToMaterialized(Sink.Queue<ConsumeResult<byte[]?, byte[]>>(), Keep.Both)
            .Run(_materializer);

        // Then the full partition is paused (polling goes on for liveness) and stays assigned
        await AwaitConditionAsync(() => control.Metrics.Pauses >= 1, Timeout, "the stalled partition to be paused");
        await Task.Delay(TimeSpan.FromSeconds(10)); // longer than max.poll.interval: the subject of this test is time
        Assert.Contains(new TopicPartition(topic, 0), control.Assignment);

        // And when demand returns, every record arrives once, in order
        var values = new List<int>();
        while (values.Count < 2_000)
        {
            var next = await queue.PullAsync().WaitAsync(Timeout);
            values.Add(ValueOf(next.Value));
        }
        Assert.Equal(Enumerable.Range(0, 2_000), values);
        Assert.True(control.Metrics.Resumes >= 1);
        await control.Shutdown();
    }

    [Fact]
    public async Task Committer_commits_at_most_once_per_full_batch_never_per_record()
    {
        var topic = Unique("batch");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 2000);

        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Select(m => (ICommittable)m.CommittableOffset)
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(100).WithMaxInterval(TimeSpan.FromSeconds(20))), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => Committed(group, new TopicPartition(topic, 0)) == 2000, Timeout, "all 2000 committed");
        var metrics = control.Metrics;
        await control.DrainAndShutdown(done);

        // At most one commit per full batch of 100 (batches merge while a commit is in flight).
        Assert.InRange(metrics.CommitRequests, 1, 20);
        Assert.Equal(2000, metrics.RecordsConsumed);
        Assert.Equal(2000, Committed(group, new TopicPartition(topic, 0)));
    }

    [Fact]
    public async Task Committer_flushes_a_partial_batch_after_the_max_interval()
    {
        var topic = Unique("interval");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 7);

        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Select(m => (ICommittable)m.CommittableOffset)
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(1000).WithMaxInterval(TimeSpan.FromMilliseconds(300))), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => control.Metrics.CommittedOffsets >= 1, Timeout, "partial batch committed");

        Assert.Equal(1, control.Metrics.CommitRequests);
        Assert.Equal(7, Committed(group, new TopicPartition(topic, 0)));
        await control.DrainAndShutdown(done);
    }

    [Fact]
    public async Task Commit_of_a_batch_commits_the_highest_offset_plus_one_per_partition()
    {
        var topic = Unique("offsets");
        var group = Unique("g");
        _broker.CreateTopic(topic, 2);
        Produce(_broker, topic, 2, 10);

        // Collect the first 3 records of each partition without committing. The outer stream keeps running: a
        // completed stream shuts its consumer down, and a commit racing that shutdown would be refused.
        var received = new System.Collections.Concurrent.ConcurrentQueue<CommittableMessage>();
        var (control, _) = KafkaConsumer.CommittablePartitionedSource(Consumer(_broker, group), topic)
            .Via(Flow.Create<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)>().MergeMany(2, p => p.Messages.Take(3)))
            .ToMaterialized(Sink.ForEach<CommittableMessage>(received.Enqueue), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count == 6, Timeout, "3 records from each partition");
        var messages = received.ToList();

        var batch = messages.Aggregate(CommittableOffsetBatch.Empty, (b, m) => b.Updated(m.CommittableOffset));
        Assert.Equal(6, batch.BatchSize);
        Assert.All(batch.Offsets.Values, o => Assert.Equal(2, o.Value));

        var result = await batch.Commit();
        Assert.Empty(result.Skipped);
        Assert.All(result.Committed, c => Assert.Equal(3, c.Offset.Value));
        Assert.Equal(3, Committed(group, new TopicPartition(topic, 0)));
        Assert.Equal(3, Committed(group, new TopicPartition(topic, 1)));
        await control.Shutdown();
        await Assert.ThrowsAsync<InvalidOperationException>(() => batch.Commit());
    }

    private long Committed(string group, TopicPartition tp)
    {
        using var probe = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, group).ToConsumerConfig()).Build();
        return probe.Committed([tp], TimeSpan.FromSeconds(10)).Single().Offset.Value;
    }
}
