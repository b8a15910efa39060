using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Observability;
using DmpActors.Kafka.Settings;
using Xunit.Abstractions;
using static DmpActors.Kafka.Tests.KafkaTestSupport;

namespace DmpActors.Kafka.Tests;

public sealed class ConsumerLagSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lag_is_the_records_behind_the_high_watermark_and_falls_to_zero_once_everything_is_read()
    {
        // Given 2,000 records on one partition and a consumer that may buffer only 100 of them
        var topic = Unique("lag");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 2_000);
        var settings = Consumer(_broker, group).WithMaxBufferPerPartition(100) with { LagRefreshInterval = TimeSpan.FromMilliseconds(50) };
        using var gauge = new LagGauge(group);

        // When nobody pulls
        var (control, queue) = KafkaConsumer.PlainSource(settings, topic)
            .ToMaterialized(Sink.Queue<ConsumeResult<byte[]?, byte[]>>(), Keep.Both)
            .Run(_materializer);

        // Then the lag is what the consumer has not read: high watermark minus position, most of the partition
        await AwaitConditionAsync(() => control.Lag.Count == 1, Timeout, "the partition's lag to be known");
        var stalled = control.Lag.Single();
        Assert.Equal((topic, 0, 2_000L), (stalled.Topic, stalled.Partition, stalled.HighWatermark));
        Assert.Equal(stalled.HighWatermark - stalled.Position, stalled.Lag);
        Assert.InRange(stalled.Lag, 1_000, 2_000);
        // And the dmp.kafka.consumer.lag gauge reports it for that group, topic and partition
        Assert.InRange(gauge.Read(topic, 0)!.Value, 1_000, 2_000);

        // When everything is read
        for (var i = 0; i < 2_000; i++) await queue.PullAsync().WaitAsync(Timeout);

        // Then the lag falls to zero
        await AwaitConditionAsync(() => control.Lag.SingleOrDefault()?.Lag == 0, Timeout, "the lag to reach zero");
        Assert.Equal(0, gauge.Read(topic, 0));
        await control.Shutdown();

        // And a closed consumer reports no lag at all
        Assert.Empty(control.Lag);
        Assert.Null(gauge.Read(topic, 0));
    }

    [Fact]
    public async Task A_quiet_partition_counts_its_lag_from_the_committed_offset()
    {
        // Given a group that has committed all 10 records of a partition
        var topic = Unique("quiet");
        var group = Unique("g");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 10);
        var settings = Consumer(_broker, group) with { LagRefreshInterval = TimeSpan.FromMilliseconds(50) };
        var (first, done) = KafkaConsumer.CommittableSource(settings, topic)
            .Take(10)
            .Select(m => (ICommittable)m.CommittableOffset)
            .ToMaterialized(Committer.Sink(CommitterSettings.Default), Keep.Both)
            .Run(_materializer);
        await done.WaitAsync(Timeout);
        await first.Shutdown();

        // When a new member of the group finds nothing new to read
        var (control, _) = KafkaConsumer.PlainSource(settings, topic)
            .ToMaterialized(Sink.Queue<ConsumeResult<byte[]?, byte[]>>(), Keep.Both)
            .Run(_materializer);

        // Then its partition reports zero lag at the committed position, not the whole log
        await AwaitConditionAsync(() => control.Lag.Count == 1, Timeout, "the partition's lag to be known");
        Assert.Equal((10L, 10L, 0L), (control.Lag[0].HighWatermark, control.Lag[0].Position, control.Lag[0].Lag));
        await control.Shutdown();
    }

    [Fact]
    public async Task Every_commit_round_trip_is_recorded_in_the_commit_duration_histogram()
    {
        // Given a listener on dmp.kafka.commit.duration
        var durations = new ConcurrentQueue<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KafkaMetrics.MeterName && instrument.Name == "dmp.kafka.commit.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => durations.Enqueue(value));
        listener.Start();
        var topic = Unique("commit");
        _broker.CreateTopic(topic, 1);
        Produce(_broker, topic, 1, 10);

        // When each record's offset is committed on its own
        var (control, done) = KafkaConsumer.CommittableSource(Consumer(_broker, Unique("g")), topic)
            .Take(10)
            .SelectAsync(1, async m => { await m.CommittableOffset.Commit(); return m; })
            .ToMaterialized(Sink.Ignore<CommittableMessage>(), Keep.Both)
            .Run(_materializer);
        await done.WaitAsync(Timeout);
        await control.Shutdown();

        // Then ten round trips were measured (other specs' commits may add more)
        Assert.True(durations.Count >= 10, $"{durations.Count} commit durations recorded");
        Assert.All(durations, d => Assert.True(d >= 0));
    }

    /// <summary>Reads the observable lag gauge the way an exporter does.</summary>
    private sealed class LagGauge : IDisposable
    {
        private readonly string _group;
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, int), long> _last = new();

        public LagGauge(string group)
        {
            _group = group;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaMetrics.MeterName && instrument.Name == "dmp.kafka.consumer.lag") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? topic = null, group = null;
                var partition = -1;
                foreach (var tag in tags)
                {
                    if (tag.Key == "topic") topic = (string?)tag.Value;
                    else if (tag.Key == "group") group = (string?)tag.Value;
                    else if (tag.Key == "partition") partition = (int)tag.Value!;
                }
                if (group == _group && topic is not null) _last[(topic, partition)] = value;
            });
            _listener.Start();
        }

        public long? Read(string topic, int partition)
        {
            _last.Clear();
            _listener.RecordObservableInstruments();
            return _last.TryGetValue((topic, partition), out var lag) ? lag : null;
        }

        public void Dispose() => _listener.Dispose();
    }
}
