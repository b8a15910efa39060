using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Ingest;

/// <summary>The delivery stage against a probe where the shard region would be: what it sends each user and how it
/// reads the answers.</summary>
public sealed class ShardDeliveryStageTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static IngestRecord Record(string user, long offset, int minute = 0)
    {
        var value = TestEvents.PageView($"{user}-{offset}", user, minute);
        return new IngestRecord
        {
            Offset = null!, // the delivery stage never reads the committable offset
            Key = null,
            Value = value,
            Position = new EventPosition(0, offset, 1),
            Event = EventParser.ParseAccepted(value).Event,
        };
    }

    private static EventApplied Answer(ApplyEvent apply, ApplyOutcome outcome, long version, string? detail = null) =>
        new(apply.DeliveryId, 1, outcome, version, 0, detail, detail is null ? null : "System.InvalidOperationException");

    [Fact]
    public void A_busy_user_gets_the_events_that_waited_as_one_batch_in_order_and_a_failure_in_it_costs_only_its_event()
    {
        var users = CreateTestProbe("users");
        var deadLetters = new ConcurrentQueue<(IngestRecord Record, DeadLetter Letter)>();
        var emitted = new ConcurrentQueue<IngestRecord>();
        var records = new[] { Record("alice", 0), Record("bob", 1), Record("alice", 2, 1), Record("alice", 3, 2), Record("bob", 4, 1) };
        var stage = new ShardDeliveryStage(users.Ref, (record, letter) =>
        {
            deadLetters.Enqueue((record, letter));
            return Task.CompletedTask;
        }, 16, Patience, new DurableOffsets());
        Source.From(records).Concat(Source.Never<IngestRecord>()).Via(stage)
            .RunWith(Sink.ForEach<IngestRecord>(emitted.Enqueue), Sys.Materializer());

        // Given each user's first event sent at once, on its own
        var alice0 = users.ExpectMsg<ApplyEvent>(Patience);
        var bob1 = users.ExpectMsg<ApplyEvent>(Patience);
        Assert.Equal(("alice", 0L, -1L), (alice0.UserId, alice0.Position!.Value.Offset, alice0.PreviousOffset));
        Assert.Equal("bob", bob1.UserId);

        // When alice's entity answers, Then the two events that waited for it go as one batch, in order,
        // each naming its predecessor
        users.Reply(Answer(alice0, ApplyOutcome.Applied, 1));
        var batch = users.ExpectMsg<ApplyEvents>(Patience);
        Assert.Equal("alice", batch.UserId);
        Assert.Equal(new[] { (2L, 0L), (3L, 2L) }, batch.Events.Select(e => (e.Position!.Value.Offset, e.PreviousOffset)));

        // And when the batch's answer says its first event failed, only that event is dead-lettered
        users.Reply(new EventsApplied([Answer(batch.Events[0], ApplyOutcome.Failed, 2, "the fold refused it"), Answer(batch.Events[1], ApplyOutcome.Applied, 3)]));
        users.Reply(Answer(bob1, ApplyOutcome.Applied, 1));
        var bob4 = users.ExpectMsg<ApplyEvent>(Patience);
        Assert.Equal(("bob", 4L, 1L), (bob4.UserId, bob4.Position!.Value.Offset, bob4.PreviousOffset));
        users.Reply(Answer(bob4, ApplyOutcome.Applied, 2));

        AwaitCondition(() => emitted.Count == records.Length, Patience);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, emitted.Select(r => r.Position.Offset));
        var (failed, letter) = Assert.Single(deadLetters);
        Assert.Equal(2, failed.Position.Offset);
        Assert.Equal(DeadLetter.ApplyFailed, letter.Code);
        Assert.Equal(new long[] { 1, 1, 2, 3, 2 }, emitted.Select(r => r.Version));
    }
}
