using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Confluent.Kafka;

namespace DmpActors.Kafka.Stages;

/// <summary>
/// Hand-off between the poll thread and the sub-source of one partition assignment. One instance
/// per assignment: after a revoke and re-assign the partition gets a fresh channel, which is what
/// makes stale commits detectable (ownership = the channel is still the current one).
/// </summary>
internal sealed class PartitionChannel
{
    private static long s_lastId;
    private readonly ConcurrentQueue<List<ConsumeResult<byte[]?, byte[]>>> _chunks = new();
    private int _buffered;
    private long _bufferedBytes;
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

    /// <summary>Unique per assignment in this process.</summary>
    public long Id { get; } = Interlocked.Increment(ref s_lastId);
    public ConsumerLoop Owner { get; }

    /// <summary>Records handed to the stage and not yet pushed downstream.</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    /// <summary>Key and value bytes of the <see cref="Buffered"/> records.</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    public bool IsClosed => _closed;
    public Exception? Error => _error;

    // ---- poll thread side ----

    /// <summary>Records of the current poll batch not yet handed over (poll-thread only).</summary>
    internal List<ConsumeResult<byte[]?, byte[]>>? PendingBatch;

    /// <summary>Bytes of <see cref="PendingBatch"/> (poll-thread only).</summary>
    internal long PendingBytes;

    /// <summary>Paused by the poll thread because the buffer is full (poll-thread only).</summary>
    internal bool PausedForBackPressure;

    /// <summary>Buffer reached the bound and has not drained to half yet (poll-thread only).</summary>
    internal bool Full;

    /// <summary>The highest offset this assignment committed (the next record to read), -1 before its first commit (poll-thread only).</summary>
    internal long CommittedNext = -1;

    /// <summary>Paused because downstream cancelled the sub-source (poll-thread only).</summary>
    internal bool Abandoned;

    /// <summary>The committed offset this assignment started from (-1: none), learned before its first record is handed
    /// over (and for lag before that); written by the poll thread before the record is published, read by the stage.</summary>
    internal volatile StrongBox<long>? Start;

    internal long? StartOffset
    {
        get => Start?.Value;
        set => Start = value is { } v ? new StrongBox<long>(v) : null;
    }

    public static long SizeOf(ConsumeResult<byte[]?, byte[]> record) => (record.Message.Key?.Length ?? 0) + (record.Message.Value?.Length ?? 0);

    /// <summary>Either bound reached: records or bytes.</summary>
    public bool AtBound(int maxRecords, long maxBytes) => Buffered >= maxRecords || BufferedBytes >= maxBytes;

    /// <summary>Drained below half of both bounds.</summary>
    public bool BelowHalf(int maxRecords, long maxBytes) => Buffered <= maxRecords / 2 && BufferedBytes <= maxBytes / 2;

    public int Offer(List<ConsumeResult<byte[]?, byte[]>> chunk, long bytes)
    {
        // Count before publishing so the consumer side never decrements below zero.
        Interlocked.Add(ref _bufferedBytes, bytes);
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

    public void Emitted(ConsumeResult<byte[]?, byte[]> record)
    {
        Interlocked.Add(ref _bufferedBytes, -SizeOf(record));
        Interlocked.Decrement(ref _buffered);
    }

    /// <summary>Forget what was handed over but not emitted (revoked or cancelled): Kafka redelivers it.</summary>
    /// <param name="current">The chunk the stage was emitting, of which the first <paramref name="emitted"/> are out.</param>
    public void Discard(List<ConsumeResult<byte[]?, byte[]>>? current, int emitted)
    {
        var dropped = 0;
        long bytes = 0;
        void Drop(List<ConsumeResult<byte[]?, byte[]>> chunk, int from)
        {
            for (var i = from; i < chunk.Count; i++) bytes += SizeOf(chunk[i]);
            dropped += chunk.Count - from;
        }
        if (current is not null) Drop(current, emitted);
        while (_chunks.TryDequeue(out var c)) Drop(c, 0);
        Interlocked.Add(ref _bufferedBytes, -bytes);
        Interlocked.Add(ref _buffered, -dropped);
    }
}
