using System.Diagnostics;
using System.Text;
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

public sealed class ProducerSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FlowWithPassThrough_emits_results_in_input_order_with_their_offsets()
    {
        var topic = Unique("produce");
        _broker.CreateTopic(topic, 3);

        var results = await Source.From(Enumerable.Range(0, 3000))
            .Select(i => new ProducerMessage<int>(topic, Encoding.UTF8.GetBytes($"k{i % 7}"), Encoding.UTF8.GetBytes(i.ToString()), i))
            .Via(KafkaProducer.FlowWithPassThrough<int>(new ProducerSettings(_broker.BootstrapServers), parallelism: 500))
            .RunWith(Sink.Seq<ProducerResult<int>>(), _materializer)
            .WaitAsync(Timeout);

        // Results come back in input order
        Assert.Equal(Enumerable.Range(0, 3000), results.Select(r => r.PassThrough));
        // Each partition's offsets are 0..n-1 in the order the records were sent
        foreach (var partition in results.GroupBy(r => r.TopicPartitionOffset.Partition.Value))
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.TopicPartitionOffset.Offset.Value));
        // And the record at a reported offset is the one that was sent
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, Unique("g")).ToConsumerConfig()).Build();
        var probe = results[1234];
        consumer.Assign(probe.TopicPartitionOffset);
        var record = consumer.Consume(Timeout);
        Assert.Equal("1234", Encoding.UTF8.GetString(record.Message.Value));
    }

    [Fact]
    public async Task Shared_producer_survives_transient_produce_errors_and_keeps_order()
    {
        var topic = Unique("shared");
        _broker.CreateTopic(topic, 1);
        using var producer = Producer(_broker);

        // Produce (API key 0) answered twice with a retriable leader error
        _broker.PushRequestErrors(0, ErrorCode.NotLeaderForPartition, ErrorCode.NotLeaderForPartition);
        var results = await Source.From(Enumerable.Range(0, 200))
            .Select(i => new ProducerMessage<int>(topic, null, Encoding.UTF8.GetBytes(i.ToString()), i))
            .Via(KafkaProducer.FlowWithPassThrough<int>(producer, parallelism: 50))
            .RunWith(Sink.Seq<ProducerResult<int>>(), _materializer)
            .WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(0, 200), results.Select(r => r.PassThrough));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), results.Select(r => r.TopicPartitionOffset.Offset.Value));
        // The shared producer is still usable: the stage did not dispose it
        var after = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Value = "after"u8.ToArray() });
        Assert.Equal(200, after.Offset.Value);
    }

    [Fact]
    public async Task Non_retriable_delivery_error_fails_the_flow()
    {
        var topic = Unique("denied");
        _broker.CreateTopic(topic, 1);
        _broker.PushRequestErrors(0, ErrorCode.TopicAuthorizationFailed);

        var run = Source.Single(ProducerMessage.Create(topic, null, "x"u8.ToArray()))
            .RunWith(KafkaProducer.PlainSink(new ProducerSettings(_broker.BootstrapServers)), _materializer);

        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]>>(() => run.WaitAsync(Timeout));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, error.Error.Code);
    }

    [Fact]
    [Trait("Category", "Bench")]
    public async Task Bench_committable_source_vs_bare_consume_loop()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("KAFKA_BENCH_RECORDS"), out var n) ? n : 200_000;
        var topic = Unique("bench");
        _broker.CreateTopic(topic, 4);
        var sw = Stopwatch.StartNew();
        Produce(_broker, topic, 4, count, payloadBytes: 200);
        _output.WriteLine($"produce (Confluent Produce+Flush): {count / sw.Elapsed.TotalSeconds:N0} msg/s");

        // PlainSource alone (no commits). The stream notes when it saw the last record, so the time does not depend on
        // when this test's own continuation gets to run.
        var plainLast = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var plainReceived = 0;
        sw.Restart();
        var (plainControl, plainDone) = KafkaConsumer.PlainSource(Consumer(_broker, Unique("plain")), topic)
            .Select(r => { if (++plainReceived == count) plainLast.TrySetResult(sw.Elapsed); return NotUsed.Instance; })
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(_materializer);
        var plain = count / (await plainLast.Task.WaitAsync(TimeSpan.FromSeconds(120))).TotalSeconds;
        var plainSeenByTest = count / sw.Elapsed.TotalSeconds;
        await plainControl.DrainAndShutdown(plainDone);

        // Bare Confluent consume loop
        sw.Restart();
        using (var consumer = new ConsumerBuilder<byte[]?, byte[]>(Consumer(_broker, Unique("bare")).ToConsumerConfig()).Build())
        {
            consumer.Subscribe(topic);
            var seen = 0;
            while (seen < count)
                if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false }) seen++;
            consumer.Close();
        }
        var bare = count / sw.Elapsed.TotalSeconds;

        // CommittableSource + Committer
        var last = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        sw.Restart();
        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, Unique("stream")), topic)
            .Select(m => { if (++received == count) last.TrySetResult(sw.Elapsed); return (ICommittable)m.CommittableOffset; })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default), Keep.Both)
            .Run(_materializer);
        var stream = count / (await last.Task.WaitAsync(TimeSpan.FromSeconds(120))).TotalSeconds;
        await control.DrainAndShutdown(done);

        _output.WriteLine($"{count} x 200 B over 4 partitions: bare Consume loop {bare:N0} msg/s, PlainSource {plain:N0} msg/s " +
                          $"({plainSeenByTest:N0} as seen by this test's continuation), CommittableSource+Committer {stream:N0} msg/s; {control.Metrics}");
        Assert.Equal(count, received);
    }
}
