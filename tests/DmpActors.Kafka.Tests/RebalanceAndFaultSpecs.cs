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

public sealed class RebalanceAndFaultSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private sealed class Member
    {
        public readonly ConcurrentQueue<(int Partition, int Value)> Received = new();
        public readonly ConcurrentQueue<TopicPartition> CompletedSubSources = new();
        public readonly ConcurrentDictionary<int, CommittableOffset> LastOffsetByPartition = new();
        public IConsumerControl Control = null!;
        public Task<Done> Done = null!;
    }

    private Member StartMember(string topic, string group)
    {
        var member = new Member();
        var settings = Consumer(_broker, group).WithGroupTimeouts(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(6));
        var (control, done) = KafkaConsumer.CommittablePartitionedSource(settings, topic)
            .Via(Flow.Create<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)>().MergeMany(64, p =>
                p.Messages.WatchTermination((_, terminated) =>
                {
                    terminated.ContinueWith(_ => member.CompletedSubSources.Enqueue(p.Partition));
                    return NotUsed.Instance;
                })))
            .Select(m =>
            {
                member.Received.Enqueue((m.Record.Partition.Value, ValueOf(m.Record)));
                member.LastOffsetByPartition[m.Record.Partition.Value] = m.CommittableOffset;
                return (ICommittable)m.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(20).WithMaxInterval(TimeSpan.FromMilliseconds(100))), Keep.Both)
            .Run(_materializer);
        member.Control = control;
        member.Done = done;
        return member;
    }

    [Fact]
    public async Task Second_member_takes_half_the_partitions_and_stale_commits_are_not_sent()
    {
        // Given one member consuming a 6-partition topic
        var topic = Unique("rebalance");
        var group = Unique("g");
        _broker.CreateTopic(topic, 6);
        Produce(_broker, topic, 6, 600);
        var partitions = Enumerable.Range(0, 6).Select(p => new TopicPartition(topic, p)).ToList();
        using var sampling = new CancellationTokenSource();
        var samples = SampleCommittedOffsets(group, partitions, sampling.Token);

        var a = StartMember(topic, group);
        await AwaitConditionAsync(() => a.Received.Count >= 600 && a.Control.Assignment.Count == 6, Timeout, "A consumed everything");
        var staleOffset = a.LastOffsetByPartition[0];

        // When a second member joins the group
        var b = StartMember(topic, group);
        await AwaitConditionAsync(() => a.Control.Assignment.Count == 3 && b.Control.Assignment.Count == 3, Timeout, "partitions split 3/3");

        // Then A's sub-sources of revoked partitions complete (their completion is reported on the thread pool,
        // after the new assignment is already visible)
        var revokedFromA = partitions.Except(a.Control.Assignment).ToList();
        await AwaitConditionAsync(() => revokedFromA.All(tp => a.CompletedSubSources.Contains(tp)), Timeout, "A's revoked sub-sources to complete");

        // And a commit from A's previous assignment is not sent but reported as skipped
        var skippedBefore = a.Control.Metrics.SkippedCommitOffsets;
        var commitRequestsBefore = a.Control.Metrics.CommitRequests;
        var stale = await staleOffset.Commit();
        Assert.Empty(stale.Committed);
        Assert.Equal(new TopicPartitionOffset(topic, 0, staleOffset.Offset.Value + 1), Assert.Single(stale.Skipped));
        Assert.Equal(skippedBefore + 1, a.Control.Metrics.SkippedCommitOffsets);
        Assert.Equal(commitRequestsBefore, a.Control.Metrics.CommitRequests);

        // When more records arrive, then both members share them and everything is consumed and committed
        Produce(_broker, topic, 6, 600, startAt: 600);
        var all = () => a.Received.Select(r => r.Value).Concat(b.Received.Select(r => r.Value)).ToHashSet();
        await AwaitConditionAsync(() => all().Count == 1200, Timeout, "all 1200 records consumed across members");
        Assert.NotEmpty(b.Received);
        Assert.Contains(a.Received, r => r.Value >= 600);
        await AwaitConditionAsync(() => CommittedOffsets(group, partitions).All(o => o == 200), Timeout, "all offsets committed");

        await Task.WhenAll(a.Control.DrainAndShutdown(a.Done), b.Control.DrainAndShutdown(b.Done));
        sampling.Cancel();
        var history = await samples;

        // And committed offsets never went backwards
        Assert.True(history.Count > 3, "sampled committed offsets during the test");
        for (var p = 0; p < 6; p++)
        {
            var series = history.Select(h => h[p]).ToList();
            Assert.True(series.Zip(series.Skip(1)).All(x => x.Second >= x.First), $"partition {p} went backwards: {string.Join(",", series)}");
        }
    }

    [Fact]
    public async Task Stream_survives_broker_down_and_up_and_catches_up_without_loss()
    {
        var topic = Unique("down");
        var group = Unique("g");
        _broker.CreateTopic(topic, 2);
        Produce(_broker, topic, 2, 1000);
        var received = new ConcurrentQueue<(int Partition, int Value)>();
        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Select(m => { received.Enqueue((m.Record.Partition.Value, ValueOf(m.Record))); return (ICommittable)m.CommittableOffset; })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(100).WithMaxInterval(TimeSpan.FromMilliseconds(100))), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count >= 1000, Timeout, "first 1000 consumed");

        // When the broker goes down while a producer keeps writing (its retries buffer the records)
        _broker.SetBrokerDown(1);
        var producing = Task.Run(() => Produce(_broker, topic, 2, 1000, startAt: 1000));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the outage itself: how long the broker stays down
        Assert.Equal(1000, received.Count);
        _broker.SetBrokerUp(1);
        await producing.WaitAsync(Timeout);

        // Then the stream is still alive and catches up with nothing lost or repeated
        await AwaitConditionAsync(() => received.Count >= 2000, Timeout, "caught up after the outage");
        await AwaitConditionAsync(() => control.Metrics.CommittedOffsets > 0 && done.IsCompleted == false, Timeout, "still running");
        await control.DrainAndShutdown(done);
        Assert.Equal(Enumerable.Range(0, 2000), received.Select(r => r.Value).Order());
        foreach (var partition in received.GroupBy(r => r.Partition))
            Assert.Equal(partition.Select(r => r.Value).Order(), partition.Select(r => r.Value));
    }

    [Fact]
    public async Task Transient_commit_errors_are_retried_until_the_commit_lands()
    {
        var topic = Unique("commit-retry");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 50);

        var (control, batch) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Take(50)
            .Select(m => (ICommittable)m.CommittableOffset)
            .ToMaterialized(Sink.Aggregate<ICommittable, CommittableOffsetBatch>(CommittableOffsetBatch.Empty, (b, c) => b.Updated(c)), Keep.Both)
            .Run(_materializer);
        var offsets = await batch.WaitAsync(Timeout);

        // OffsetCommit (API key 8) answered twice with a retriable coordinator error
        _broker.PushRequestErrors(8, ErrorCode.GroupLoadInProgress, ErrorCode.GroupLoadInProgress);
        var result = await offsets.Commit().WaitAsync(Timeout);

        Assert.Equal(50, Assert.Single(result.Committed).Offset.Value);
        Assert.Equal(50, CommittedOffsets(group, [new TopicPartition(topic, 0)]).Single());
        await control.Shutdown();
    }

    [Fact]
    public async Task A_commit_refused_because_the_group_is_rebalancing_is_retried_while_no_records_arrive()
    {
        var topic = Unique("commit-rebalance");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 30);

        // The source keeps running (no Take): a completed source shuts its consumer down, and commits need it.
        var received = new ConcurrentQueue<CommittableOffset>();
        var (control, _) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .ToMaterialized(Sink.ForEach<CommittableMessage>(m => received.Enqueue(m.CommittableOffset)), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count == 30, Timeout, "30 messages");
        var offsets = received.Aggregate(CommittableOffsetBatch.Empty, (b, o) => b.Updated(o));

        // Given the group refuses the next two commits as rebalancing, and no record arrives after them
        _broker.PushRequestErrors(8, ErrorCode.RebalanceInProgress, ErrorCode.RebalanceInProgress);
        // When the offsets are committed once
        var result = await offsets.Commit().WaitAsync(Timeout);

        // Then the consumer retries on its own and the result reports the commit that landed
        Assert.Equal(30, Assert.Single(result.Committed).Offset.Value);
        Assert.Empty(result.Skipped);
        Assert.Equal(30, CommittedOffsets(group, [new TopicPartition(topic, 0)]).Single());
        Assert.True(control.Metrics.CommitRequests >= 3, $"{control.Metrics}");
        await control.Shutdown();
    }

    [Fact]
    public async Task A_refused_commit_retried_after_a_later_commit_landed_does_not_move_the_group_back()
    {
        var topic = Unique("commit-order");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 30);
        var received = new ConcurrentQueue<CommittableOffset>();
        var (control, _) = KafkaConsumer.CommittableSource(Consumer(_broker, group).WithCommitRetryInterval(TimeSpan.FromSeconds(2)), topic)
            .ToMaterialized(Sink.ForEach<CommittableMessage>(m => received.Enqueue(m.CommittableOffset)), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count == 30, Timeout, "30 messages");
        var all = received.ToArray();

        // Given the commit of the first 10 is refused as rebalancing and waits for its retry
        _broker.PushRequestErrors(8, ErrorCode.RebalanceInProgress);
        var early = all[9].Commit();
        await AwaitConditionAsync(() => control.Metrics.CommitRequests >= 1, Timeout, "the first commit was sent");
        // When the commit of all 30 lands before that retry is due
        var late = await all[29].Commit().WaitAsync(Timeout);
        Assert.Equal(30, Assert.Single(late.Committed).Offset.Value);

        // Then the earlier commit is answered as covered by the later one, and the group stays at 30
        var first = await early.WaitAsync(Timeout);
        Assert.Equal(10, Assert.Single(first.Committed).Offset.Value);
        Assert.Equal(30, CommittedOffsets(group, [new TopicPartition(topic, 0)]).Single());
        await control.Shutdown();
    }

    [Fact]
    public async Task A_commit_still_refused_when_the_consumer_shuts_down_is_reported_as_skipped()
    {
        var topic = Unique("commit-refused");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 5);
        var received = new ConcurrentQueue<CommittableOffset>();
        var (control, _) = KafkaConsumer.CommittableSource(Consumer(_broker, group).WithCommitRetryInterval(TimeSpan.FromMilliseconds(20)), topic)
            .ToMaterialized(Sink.ForEach<CommittableMessage>(m => received.Enqueue(m.CommittableOffset)), Keep.Both)
            .Run(_materializer);
        await AwaitConditionAsync(() => received.Count == 5, Timeout, "5 messages");

        // Given every commit is refused as rebalancing
        _broker.PushRequestErrors(8, Enumerable.Repeat(ErrorCode.RebalanceInProgress, 1000).ToArray());
        var pending = received.Last().Commit();
        await AwaitConditionAsync(() => control.Metrics.CommitRequests >= 3, Timeout, "retries");
        Assert.False(pending.IsCompleted);

        // When the consumer shuts down, the commit is answered (skipped: the next owner resumes from the last commit)
        await control.Shutdown().WaitAsync(Timeout);
        var result = await pending.WaitAsync(Timeout);
        Assert.Empty(result.Committed);
        Assert.Equal(5, Assert.Single(result.Skipped).Offset.Value);
    }

    [Fact]
    public async Task Non_retriable_commit_error_fails_the_committer_stream()
    {
        var topic = Unique("commit-fail");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 10);

        var received = 0;
        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, group), topic)
            .Select(m => { Interlocked.Increment(ref received); return (ICommittable)m.CommittableOffset; })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default.WithMaxBatch(10).WithMaxInterval(TimeSpan.FromSeconds(10))), Keep.Both)
            .Run(_materializer);
        _broker.PushRequestErrors(8, ErrorCode.GroupAuthorizationFailed);

        var error = await Assert.ThrowsAnyAsync<KafkaException>(() => done.WaitAsync(Timeout));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, error.Error.Code);
        await control.Shutdown();
    }

    private List<long> CommittedOffsets(string group, IReadOnlyList<TopicPartition> partitions)
    {
        using var probe = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, group).ToConsumerConfig()).Build();
        return probe.Committed(partitions, TimeSpan.FromSeconds(10)).Select(c => c.Offset.Value).ToList();
    }

    private Task<List<long[]>> SampleCommittedOffsets(string group, IReadOnlyList<TopicPartition> partitions, CancellationToken token) =>
        Task.Run(async () =>
        {
            var history = new List<long[]>();
            using var probe = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, group).ToConsumerConfig()).Build();
            while (!token.IsCancellationRequested)
            {
                try
                {
                    history.Add(probe.Committed(partitions, TimeSpan.FromSeconds(5)).Select(c => c.Offset.Value).ToArray());
                }
                catch (KafkaException)
                {
                    // coordinator busy during a rebalance: skip this sample
                }
                try { await Task.Delay(100, token); } catch (OperationCanceledException) { }
            }
            return history;
        });
}
