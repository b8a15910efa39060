using Akka.Actor;
using Akka.Dispatch.MessageQueues;
using Akka.TestKit.Xunit2;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Tests.Profiles;

public sealed class CompactMailboxTests() : TestKit(AkkaConfig.For(new NodeOptions { Port = 0 }))
{
    private static Envelope Message(int n) => new(n, ActorRefs.NoSender);

    private static List<int> Drain(IMessageQueue queue)
    {
        var drained = new List<int>();
        while (queue.TryDequeue(out var envelope)) drained.Add((int)envelope.Message);
        return drained;
    }

    [Fact]
    public void Random_enqueues_front_pushes_and_dequeues_match_a_simple_deque()
    {
        // Given a reference deque and the ring, driven by the same seeded random operations (wrap-around, growth, shrink)
        var random = new Random(42);
        var queue = new CompactDequeMessageQueue();
        var model = new LinkedList<int>();
        for (var step = 0; step < 50_000; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                    queue.Enqueue(ActorRefs.Nobody, Message(step));
                    model.AddLast(step);
                    break;
                case < 6:
                    queue.EnqueueFirst(Message(step));
                    model.AddFirst(step);
                    break;
                default:
                    var got = queue.TryDequeue(out var envelope);
                    Assert.Equal(model.Count > 0, got);
                    if (got)
                    {
                        Assert.Equal(model.First!.Value, (int)envelope.Message);
                        model.RemoveFirst();
                    }
                    break;
            }
            Assert.Equal(model.Count, queue.Count);
            Assert.Equal(model.Count > 0, queue.HasMessages);
        }

        // Then what is left comes out in the model's order too
        Assert.Equal(model, Drain(queue));
    }

    [Fact]
    public void A_queue_drained_after_a_burst_keeps_only_a_small_ring()
    {
        var queue = new CompactDequeMessageQueue();
        Assert.Equal(0, queue.Capacity);

        for (var i = 0; i < 1_000; i++) queue.Enqueue(ActorRefs.Nobody, Message(i));
        Assert.True(queue.Capacity >= 1_000);
        Assert.Equal(Enumerable.Range(0, 1_000), Drain(queue));

        Assert.InRange(queue.Capacity, 0, CompactDequeMessageQueue.KeptCapacity);
        queue.Enqueue(ActorRefs.Nobody, Message(7));
        Assert.Equal([7], Drain(queue));
    }

    [Fact]
    public async Task Concurrent_senders_lose_nothing_and_each_senders_order_holds()
    {
        // Given 4 senders and one consumer running at the same time, as a mailbox is used
        const int senders = 4, perSender = 50_000;
        var queue = new CompactDequeMessageQueue();
        var received = new List<int>(senders * perSender);
        var producing = Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++) queue.Enqueue(ActorRefs.Nobody, Message(s * perSender + i));
        })).ToArray();
        var consuming = Task.Run(() =>
        {
            while (received.Count < senders * perSender)
            {
                if (queue.TryDequeue(out var envelope)) received.Add((int)envelope.Message);
                else Thread.Yield();
            }
        });
        await Task.WhenAll(producing);
        await consuming.WaitAsync(TimeSpan.FromSeconds(60));

        // Then every message arrived once, and each sender's messages in the order it sent them
        Assert.Equal(senders * perSender, received.Distinct().Count());
        foreach (var group in received.GroupBy(n => n / perSender))
            Assert.Equal(group.OrderBy(n => n), group);
        Assert.False(queue.HasMessages);
    }

    [Fact]
    public void Clean_up_hands_what_is_left_to_dead_letters_in_order()
    {
        var queue = new CompactDequeMessageQueue();
        for (var i = 0; i < 5; i++) queue.Enqueue(ActorRefs.Nobody, Message(i));
        var deadLetters = new UnboundedMessageQueue();

        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.Equal(0, queue.Count);
        Assert.Equal([0, 1, 2, 3, 4], Drain(deadLetters));
    }

    [Fact]
    public void A_stashing_actor_on_the_configured_mailbox_gets_its_stashed_messages_back_first_and_in_order()
    {
        // Given an actor that stashes until "open", on the mailbox the user entities use
        var actor = Sys.ActorOf(Props.Create(() => new Gate(TestActor)).WithMailbox(CompactMailbox.ConfigPath));

        // When messages arrive before and after it opens
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(3);
        actor.Tell("open");
        actor.Tell(4);

        // Then the stashed ones come first, in order, then the rest
        foreach (var n in new[] { 1, 2, 3, 4 }) ExpectMsg(n);
    }

    private sealed class Gate : UntypedActor, IWithStash
    {
        private readonly IActorRef _probe;

        public Gate(IActorRef probe) => _probe = probe;

        public IStash Stash { get; set; } = null!;

        protected override void OnReceive(object message)
        {
            if (message is "open")
            {
                Become(Open);
                Stash.UnstashAll();
            }
            else Stash.Stash();
        }

        private void Open(object message) => _probe.Tell(message);
    }
}
