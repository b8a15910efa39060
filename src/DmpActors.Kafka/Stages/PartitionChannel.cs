using System.Collections.Concurrent;
using Confluent.Kafka;

namespace DmpActors.Kafka.Stages;

/// <summary>
/// Hand-off between the poll thread and the sub-source of one partition assignment. One instance
/// per assignment: after a revoke and re-assign the partition gets a fresh channel, which is what
/// makes stale commits detectable (ownership = the channel is still the current one).
/// </summary>
internal sealed class PartitionChannel
{
    private readonly ConcurrentQueue<List<ConsumeResult<byte[]?, byte[]>>> _chunks = new();
    private int _buffered;
    private int _signalPending = 1;
    private Action? _wakeup;
    private int _attached;
    private volatile bool _closed;
    private volatile Exception? _error;

    public PartitionChannel(TopicPartition topicPartition, ConsumerLoop owner)
    {
        TopicPartition = topicPartition;
        Owner = owner;
    }

    public TopicPartition TopicPartition { get; }
    public ConsumerLoop Owner { get; }

    /// <summary>Records handed to the stage and not yet pushed downstream.</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    public bool IsClosed => _closed;
    public Exception? Error => _error;

    // ---- poll thread side ----

    /// <summary>Records of the current poll batch not yet handed over (poll-thread only).</summary>
    internal List<ConsumeResult<byte[]?, byte[]>>? PendingBatch;

    /// <summary>Paused by the poll thread because the buffer is full (poll-thread only).</summary>
    internal bool PausedForBackPressure;

    /// <summary>Buffer reached the bound and has not drained to half yet (poll-thread only).</summary>
    internal bool Full;

    /// <summary>Paused because downstream cancelled the sub-source (poll-thread only).</summary>
    internal bool Abandoned;

    /// <summary>Poll thread only: where this assignment started reading, for lag before its first record.</summary>
    internal long? StartOffset;

    public int Offer(List<ConsumeResult<byte[]?, byte[]>> chunk)
    {
        // Count before publishing so the consumer side never decrements below zero.
        var buffered = Interlocked.Add(ref _buffered, chunk.Count);
        _chunks.Enqueue(chunk);
        Signal();
        return buffered;
    }

    public void Close(Exception? error = null)
    {
        _error = error;
        _closed = true;
        Signal();
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signalPending, 1) == 0)
            Volatile.Read(ref _wakeup)?.Invoke();
    }

    // ---- stage side ----

    public bool Attach(Action wakeup)
    {
        if (Interlocked.Exchange(ref _attached, 1) != 0) return false;
        Volatile.Write(ref _wakeup, wakeup);
        Interlocked.Exchange(ref _signalPending, 0);
        return true;
    }

    /// <summary>Called by the stage when it handles a wake-up, before it drains.</summary>
    public void Acknowledge() => Interlocked.Exchange(ref _signalPending, 0);

    public bool TryTake(out List<ConsumeResult<byte[]?, byte[]>> chunk) => _chunks.TryDequeue(out chunk!);

    public void Emitted() => Interlocked.Decrement(ref _buffered);

    /// <summary>Forget what was handed over but not emitted (revoked or cancelled): Kafka redelivers it.</summary>
    public void Discard(int notYetEmittedOfCurrentChunk)
    {
        var dropped = notYetEmittedOfCurrentChunk;
        while (_chunks.TryDequeue(out var c)) dropped += c.Count;
        Interlocked.Add(ref _buffered, -dropped);
    }
}
