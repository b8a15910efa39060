using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// The user entities' mailbox (configured as <see cref="ConfigPath"/>): unbounded, with the deque semantics the
/// stash needs, in a few hundred bytes. Akka's default for a stashing actor wraps a ConcurrentQueue (whose first
/// segment alone is about 1 KB) and a prepend stack: over a kilobyte for each of a million mostly idle users.
/// </summary>
public sealed class CompactMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<CompactDequeMessageQueue>
{
    /// <summary>Where AkkaConfig defines it; entity props name it.</summary>
    public const string ConfigPath = "dmp.user-mailbox";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}

/// <summary>
/// A ring buffer behind a lock. Senders enqueue from any thread; the mailbox dequeues on one thread at a time; the
/// stash puts messages back at the front. The ring starts empty, doubles when full, and a ring that grew past
/// <see cref="KeptCapacity"/> slots during a burst is dropped once drained, so an idle entity holds at most a small one.
/// </summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    public const int KeptCapacity = 8;
    private const int InitialCapacity = 2;

    private readonly Lock _gate = new();
    private Envelope[]? _ring;
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_gate)
        {
            var ring = RoomForOne();
            ring[(_head + _count) % ring.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (_gate)
        {
            var ring = RoomForOne();
            _head = (_head - 1 + ring.Length) % ring.Length;
            ring[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            var ring = _ring!;
            envelope = ring[_head];
            ring[_head] = default; // let the message go
            _head = (_head + 1) % ring.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0)
            {
                _head = 0;
                if (ring.Length > KeptCapacity) _ring = null;
            }
            return true;
        }
    }

    /// <summary>What is left when the actor stops goes to dead letters, as with Akka's own queues.</summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    /// <summary>The ring, grown if it is full; the caller holds the lock.</summary>
    private Envelope[] RoomForOne()
    {
        if (_ring is null) return _ring = new Envelope[InitialCapacity];
        if (_count < _ring.Length) return _ring;
        var grown = new Envelope[_ring.Length * 2];
        for (var i = 0; i < _count; i++) grown[i] = _ring[(_head + i) % _ring.Length];
        _head = 0;
        return _ring = grown;
    }

    /// <summary>Slots currently allocated (for tests: an idle queue keeps at most <see cref="KeptCapacity"/>).</summary>
    public int Capacity
    {
        get
        {
            lock (_gate) return _ring?.Length ?? 0;
        }
    }
}
