using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Engine.Tests.Segments;

/// <summary>One user entity over an in-memory store, publishing to a real embedded broker.</summary>
public sealed class SegmentOutboxTests : TestKit, IAsyncLifetime
{
    private const string Topic = "dmp.segment-changes";
    private readonly EmbeddedKafkaBroker _broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" }.WithTopic(Topic, 2));
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly SegmentChangeHub _hub = new();
    private readonly SegmentRegistry _registry = new();
    private readonly List<SegmentChange> _seen = [];

    public SegmentOutboxTests() : base(UserEntityHarness.Config)
    {
        _producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = _broker.BootstrapServers, EnableIdempotence = true, Acks = Acks.All, LingerMs = 1,
        }).Build();
        _hub.Subscribe(c => { lock (_seen) _seen.Add(c); });
        _registry.Publish(SegmentSet.Build(1, [new SegmentVersion("buyers", 1, "orders >= 1", false, TestEvents.BaseTime)]));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _producer.Dispose();
        await _broker.DisposeAsync();
    }

    private UserEntityHarness Entity(string user, InMemoryProfileStore? store = null) => new(this, user, store, s => s with
    {
        Segments = _registry,
        SegmentChanges = new SegmentChangePublisher(_hub, _producer, Topic),
    });

    private static UserEvent Parsed(byte[] json) => EventParser.ParseAccepted(json).Event!;

    private List<SegmentChange> Seen()
    {
        lock (_seen) return [.. _seen];
    }

    [Fact]
    public async Task A_flush_is_answered_only_after_Kafka_acknowledged_the_changes_of_its_events()
    {
        // Given a buyer whose enter is decided, and a broker that is down
        var entity = Entity("u1");
        var ack = await entity.ApplyAsync(Parsed(TestEvents.Purchase("e1", "u1", 10m)));
        _broker.SetBrokerDown(1);

        // When the checkpoint asks for a flush, it is not answered while Kafka cannot take the change
        var flush = entity.FlushAsync(ack, 1);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(flush.IsCompleted);
        Assert.Empty(Seen());

        // Then once the broker is back the change is acknowledged, published in process, and the flush succeeds
        _broker.SetBrokerUp(1);
        Assert.True((await flush.WaitAsync(TimeSpan.FromSeconds(30))).Succeeded);
        var change = Assert.Single(Seen());
        Assert.Equal((SegmentChangeKind.Entered, "buyers", "event:e1"), (change.Kind, change.SegmentId, change.Cause.ToString()));
        Assert.Equal(["buyers"], (await entity.StoredAsync())!.Segments.MemberIds());
    }

    [Fact]
    public async Task A_life_that_stopped_before_saving_the_acknowledgement_sends_the_change_again_with_the_same_id()
    {
        // Given a change saved in the outbox of the stored profile (the save happened, the acknowledgement was not saved)
        var store = new InMemoryProfileStore();
        var first = Entity("u2", store);
        var ack = await first.ApplyAsync(Parsed(TestEvents.Purchase("e1", "u2", 10m)));
        Assert.True((await first.FlushAsync(ack, 1)).Succeeded);
        var outboxBefore = (await first.StoredAsync())!.Segments.Outbox;
        Assert.Single(outboxBefore);

        // When the next life loads it (a crash between publishing and the next checkpoint)
        await first.StopAsync(); // the clean stop saves the acknowledgement...
        Assert.Empty((await first.StoredAsync())!.Segments.Outbox);
        var row = (await store.LoadAsync(["u2"]))["u2"];
        var clean = (await first.StoredAsync())!;
        var crashed = clean with { Segments = new SegmentMemberships(clean.Segments.Entries, outboxBefore, clean.Segments.Revision) };
        await store.SaveAsync([row with { State = Engine.Serialization.ProfileCodec.Encode(crashed), Version = row.Version + 1, BaseVersion = row.Version }]);
        first.StartNextLife();

        // Then the change goes out again with the same id, and only that one
        await Eventually.True(() => Seen().Count == 2, UserEntityHarness.Patience, "the loaded outbox to be published");
        Assert.Equal(Seen()[0], Seen()[1]);
    }

    [Fact]
    public async Task A_re_evaluation_answers_once_its_changes_are_durable_and_published()
    {
        // Given a buyer applied before the segment existed
        var entity = Entity("u3");
        _registry.Publish(SegmentSet.Build(2, []));
        var ack = await entity.ApplyAsync(Parsed(TestEvents.Purchase("e1", "u3", 10m)));
        Assert.True((await entity.FlushAsync(ack, 1)).Succeeded);
        _registry.Publish(SegmentSet.Build(3, [new SegmentVersion("buyers", 1, "orders >= 1", false, TestEvents.BaseTime)]));

        // When the backfill asks for a re-evaluation
        var answer = await entity.Entity.Ask<SegmentsEvaluated>(new EvaluateSegments("u3", 3), UserEntityHarness.Patience);

        // Then the enter is published and durable by the time the answer comes
        Assert.Equal(new SegmentsEvaluated("u3", 3, 1), answer);
        Assert.Equal("evaluation:3", Assert.Single(Seen()).Cause.ToString());
        Assert.Equal(["buyers"], (await entity.StoredAsync())!.Segments.MemberIds());
        var again = await entity.Entity.Ask<SegmentsEvaluated>(new EvaluateSegments("u3", 3), UserEntityHarness.Patience);
        Assert.Equal(0, again.Changes);
    }

    [Fact]
    public async Task Published_changes_are_on_the_topic_keyed_by_user_with_their_change_id()
    {
        var entity = Entity("u4");
        var ack = await entity.ApplyAsync(Parsed(TestEvents.Purchase("e1", "u4", 10m)));
        Assert.True((await entity.FlushAsync(ack, 1)).Succeeded);

        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers, GroupId = "t-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(Topic);
        ConsumeResult<byte[]?, byte[]>? record = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (record is null && DateTime.UtcNow < deadline) record = consumer.Consume(TimeSpan.FromMilliseconds(200));

        Assert.NotNull(record);
        Assert.Equal("u4", Encoding.UTF8.GetString(record.Message.Key!));
        var change = SegmentChangeJson.Read(record.Message.Value);
        Assert.Equal(Assert.Single(Seen()), change);
        Assert.Equal(change.ChangeId, EngineHarness.Header(record.Message, SegmentChangePublisher.ChangeIdHeader));
        Assert.Equal(ChangeIds.Of("u4", "buyers", 1, SegmentCause.Event("e1")), change.ChangeId);
    }
}
