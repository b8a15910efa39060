using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Observability;

/// <summary>Activity and meter listeners are process-wide: tests that attach them run alone.</summary>
[CollectionDefinition(nameof(ProcessWideTelemetry), DisableParallelization = true)]
public sealed class ProcessWideTelemetry;

[Collection(nameof(ProcessWideTelemetry))]
public sealed class TracingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_event_is_traced_from_consume_through_apply_to_the_durable_write_in_its_producers_trace()
    {
        // Given a trace listener and a running engine
        await using var harness = new EngineHarness();
        using var spans = new SpanRecorder();
        await using var engine = await harness.StartEngineAsync();

        // When a producer sends one event carrying its traceparent
        var traceId = ActivityTraceId.CreateRandom();
        var producerSpan = ActivitySpanId.CreateRandom();
        await ProduceAsync(harness, "traced-user", TestEvents.PageView("traced-1", "traced-user"), $"00-{traceId}-{producerSpan}-01");

        // Then its trace holds consume → apply → durable, each the child of the one before
        // The write span stops just after the durable spans it links: wait for both.
        await Eventually.True(() => spans.InTrace(traceId).Any(s => s.OperationName == "dmp.profile.durable")
                                    && spans.All.Any(s => s.OperationName == "dmp.profiles.write"), Patience, "the durable and write spans");
        var trace = spans.InTrace(traceId);
        var consume = trace.Single(s => s.OperationName == "dmp.ingest.consume");
        var apply = trace.Single(s => s.OperationName == "dmp.profile.apply");
        var durable = trace.Single(s => s.OperationName == "dmp.profile.durable");
        Assert.Equal(producerSpan, consume.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, consume.Kind);
        Assert.Equal(consume.SpanId, apply.ParentSpanId);
        Assert.Equal(apply.SpanId, durable.ParentSpanId);
        // And each names the event by its id, and how it went
        Assert.All([consume, apply, durable], s => Assert.Equal("traced-1", s.GetTagItem(DmpTracing.EventIdAttribute)));
        Assert.Equal("applied", apply.GetTagItem(DmpTracing.OutcomeAttribute));
        Assert.Equal("dmp.events", consume.GetTagItem("messaging.destination.name"));
        // And the batch write it rode in links to it
        var write = spans.All.Single(s => s.OperationName == "dmp.profiles.write" && durable.Links.Any(l => l.Context.SpanId == s.SpanId));
        Assert.Contains(write.Links, l => l.Context.TraceId == traceId && l.Context.SpanId == apply.SpanId);
        Assert.Equal(ActivityStatusCode.Unset, durable.Status);
    }

    [Fact]
    public async Task A_rejected_event_ends_its_span_with_the_reason_and_its_dead_letter_continues_the_trace()
    {
        // Given a trace listener and a running engine
        await using var harness = new EngineHarness();
        using var spans = new SpanRecorder();
        await using var engine = await harness.StartEngineAsync();

        // When a traced record is not a valid event
        var traceId = ActivityTraceId.CreateRandom();
        await ProduceAsync(harness, "bad-user", Encoding.UTF8.GetBytes("{not json"), $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        // Then its consume span ends in error, naming the reason and no event content
        await Eventually.True(() => spans.InTrace(traceId).Any(s => s.OperationName == "dmp.ingest.consume"), Patience, "the consume span");
        var consume = spans.InTrace(traceId).Single();
        Assert.Equal(ActivityStatusCode.Error, consume.Status);
        Assert.Equal("malformed_json", consume.GetTagItem(DmpTracing.RejectReasonAttribute));
        Assert.Equal("dead_lettered", consume.GetTagItem(DmpTracing.OutcomeAttribute));

        // And the dead letter carries the consume span as its traceparent
        using var reader = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = harness.Broker.BootstrapServers, GroupId = "dlq-reader", AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        reader.Subscribe("dmp.events.dlq");
        var letter = reader.Consume(Patience);
        Assert.NotNull(letter);
        Assert.True(letter.Message.Headers.TryGetLastBytes(DmpTracing.TraceParentHeader, out var traceParent));
        Assert.Equal(consume.Id, Encoding.ASCII.GetString(traceParent));
    }

    [Fact]
    public void Without_a_listener_the_event_path_creates_no_span_and_sends_no_trace_context()
    {
        // Given nothing listens to the DmpActors source (this collection runs alone)
        Assert.False(DmpMetrics.Tracing.HasListeners());
        var record = new ConsumeResult<byte[]?, byte[]>
        {
            Topic = "dmp.events", Partition = 0, Offset = 7,
            Message = new Message<byte[]?, byte[]>
            {
                Value = TestEvents.PageView("e-1", "u-1"),
                Headers = new Headers { { DmpTracing.TraceParentHeader, Encoding.ASCII.GetBytes($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01") } },
            },
        };

        // Then even a record with a traceparent gets no span, so ApplyEvent carries none and the entity starts none
        var consume = DmpTracing.StartConsume(record, "dmp-ingest");
        Assert.Null(consume);
        Assert.Null(DmpTracing.StartApply(consume?.Id, "e-1"));
        Assert.Null(DmpTracing.Applied(null, Domain.Profiles.ApplyOutcome.Applied, "e-1", null));
        Assert.Null(DmpTracing.StartWrite([]));
    }

    private static async Task ProduceAsync(EngineHarness harness, string userId, byte[] value, string traceParent)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = harness.Broker.BootstrapServers }).Build();
        await producer.ProduceAsync("dmp.events", new Message<byte[]?, byte[]>
        {
            Key = Encoding.UTF8.GetBytes(userId),
            Value = value,
            Headers = new Headers { { DmpTracing.TraceParentHeader, Encoding.ASCII.GetBytes(traceParent) } },
        });
    }

    /// <summary>Records every finished span of the DmpActors source, as an exporter would see them.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DmpMetrics.MeterName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All => _stopped.ToArray();
        public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _stopped.Where(s => s.TraceId == traceId).ToArray();
        public void Dispose() => _listener.Dispose();
    }
}
