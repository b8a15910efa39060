using System.IO.Hashing;
using System.Text;

namespace DmpActors.Domain.Profiles;

/// <summary>
/// What a profile remembers to absorb duplicates: the highest Kafka offset applied per partition (exact replay
/// detection in O(partitions) memory) and a bounded window of recent event ids (producer duplicates), kept as
/// 64-bit hashes (<see cref="HashOf"/>): 8 bytes an id instead of the id's string.
/// Immutable: <see cref="Record"/> returns a new state and leaves this one valid.
/// </summary>
/// <remarks>
/// The id window is a list of 16-hash chunks. Appending claims the next free slot of the newest chunk with a
/// compare-and-swap, so the common append allocates no array; an older state that is appended to again
/// (a branch) finds the slot taken and copies the chunk instead. A state only ever reads the slots it owns,
/// so every version stays valid. A lookup is a vectorised scan of at most 272 hashes.
/// Two different ids with the same hash would make the second look like a duplicate: with XXH3-64 and 272 hashes
/// in the window, that is a chance of about 1.5e-17 per event (one in 10^16 events).
/// </remarks>
public sealed record DedupeState
{
    /// <summary>The window always holds at least this many of the most recent event ids (at most Capacity + 16).</summary>
    public const int Capacity = 256;

    private const int ChunkSize = 16;
    private const int FullChunks = Capacity / ChunkSize;

    public static DedupeState Empty { get; } = new(Array.Empty<Chunk>(), null, 0, 0, Array.Empty<int>(), Array.Empty<long>());

    private readonly Chunk[] _full;     // oldest first, each holding exactly ChunkSize ids
    private readonly Chunk? _tail;      // newest, holding _tailCount ids
    private readonly int _tailCount;
    private readonly long _generation;
    private readonly int[] _partitions; // sorted
    private readonly long[] _offsets;

    private DedupeState(Chunk[] full, Chunk? tail, int tailCount, long generation, int[] partitions, long[] offsets)
    {
        _full = full;
        _tail = tail;
        _tailCount = tailCount;
        _generation = generation;
        _partitions = partitions;
        _offsets = offsets;
    }

    /// <summary>Rebuilds a state from its persisted parts (hashes oldest first, as in <see cref="RecentEventIdHashes"/>).</summary>
    public static DedupeState Restore(IEnumerable<ulong> recentEventIdHashes, IEnumerable<KeyValuePair<int, long>> highestOffsetByPartition) =>
        Restore(recentEventIdHashes, 0, highestOffsetByPartition);

    /// <summary>Rebuilds a state from its persisted parts, including the log generation its offsets belong to.</summary>
    public static DedupeState Restore(IEnumerable<ulong> recentEventIdHashes, long logGeneration, IEnumerable<KeyValuePair<int, long>> highestOffsetByPartition)
    {
        ArgumentNullException.ThrowIfNull(recentEventIdHashes);
        ArgumentNullException.ThrowIfNull(highestOffsetByPartition);
        var state = Empty;
        foreach (var hash in recentEventIdHashes) state = state.Record(hash, null);
        foreach (var (partition, offset) in highestOffsetByPartition) state = state.RecordPosition(new EventPosition(partition, offset, logGeneration));
        return logGeneration == state._generation
            ? state
            : new DedupeState(state._full, state._tail, state._tailCount, logGeneration, state._partitions, state._offsets);
    }

    /// <summary>The events-log generation that <see cref="HighestOffsetByPartition"/> refers to (0 until a position is recorded).</summary>
    public long LogGeneration => _generation;

    /// <summary>Hashes of the recent event ids, oldest first, newest last. Materialised on each call: meant for persistence.</summary>
    public IReadOnlyList<ulong> RecentEventIdHashes
    {
        get
        {
            var hashes = new ulong[_full.Length * ChunkSize + _tailCount];
            var n = 0;
            foreach (var chunk in _full)
            {
                Array.Copy(chunk.Hashes, 0, hashes, n, ChunkSize);
                n += ChunkSize;
            }

            if (_tail is not null) Array.Copy(_tail.Hashes, 0, hashes, n, _tailCount);
            return hashes;
        }
    }

    public int RecentEventIdCount => _full.Length * ChunkSize + _tailCount;

    /// <summary>Highest offset applied from each partition. Materialised on each call: meant for persistence.</summary>
    public IReadOnlyDictionary<int, long> HighestOffsetByPartition
    {
        get
        {
            var map = new SortedDictionary<int, long>();
            for (var i = 0; i < _partitions.Length; i++) map[_partitions[i]] = _offsets[i];
            return map;
        }
    }

    /// <summary>Highest offset applied from the partition in the current <see cref="LogGeneration"/>.</summary>
    public long? HighestOffset(int partition)
    {
        var i = Array.BinarySearch(_partitions, partition);
        return i >= 0 ? _offsets[i] : null;
    }

    /// <summary>True when an event at this position was already applied: same log generation and offset ≤ the
    /// highest applied from its partition. Positions from another generation are never replays by position.</summary>
    public bool IsReplay(EventPosition position)
    {
        if (position.Generation != _generation) return false;
        var i = Array.BinarySearch(_partitions, position.Partition);
        return i >= 0 && position.Offset <= _offsets[i];
    }

    /// <summary>True when the id is in the recent window.</summary>
    public bool Seen(string eventId) => Seen(HashOf(eventId));

    /// <summary>True when an id with this <see cref="HashOf"/> is in the recent window.</summary>
    public bool Seen(ulong eventIdHash)
    {
        if (_tail is not null && _tail.Contains(_tailCount, eventIdHash)) return true;
        for (var i = _full.Length - 1; i >= 0; i--)
        {
            if (_full[i].Contains(ChunkSize, eventIdHash)) return true;
        }

        return false;
    }

    /// <summary>Remembers an applied event: its id in the window and, when it came from Kafka, its offset.</summary>
    public DedupeState Record(string eventId, EventPosition? position) => Record(HashOf(eventId), position);

    /// <summary>Remembers an applied event by its id's <see cref="HashOf"/>.</summary>
    public DedupeState Record(ulong eventIdHash, EventPosition? position)
    {
        var hash = eventIdHash;
        Chunk[] full = _full;
        Chunk tail;
        int tailCount;
        if (_tail is null || _tailCount == ChunkSize)
        {
            if (_tail is not null) full = Roll(_full, _tail);
            tail = new Chunk();
            tail.Claim(0);
            tail.Hashes[0] = hash;
            tailCount = 1;
        }
        else
        {
            tail = _tail.Claim(_tailCount) ? _tail : _tail.CopyPrefix(_tailCount);
            tail.Hashes[_tailCount] = hash;
            tailCount = _tailCount + 1;
        }

        // One new state with the id and the position both recorded (this runs once per applied event).
        var (generation, partitions, offsets) = position is { } p ? MarksWith(p) : (_generation, _partitions, _offsets);
        return new DedupeState(full, tail, tailCount, generation, partitions, offsets);
    }

    /// <summary>
    /// Raises the partition's high-water mark to this position (no-op when already at or above it). A position from a
    /// newer log generation discards every mark of the old one; one from an older generation is ignored.
    /// </summary>
    public DedupeState RecordPosition(EventPosition position)
    {
        var (generation, partitions, offsets) = MarksWith(position);
        return ReferenceEquals(offsets, _offsets) && generation == _generation
            ? this
            : new DedupeState(_full, _tail, _tailCount, generation, partitions, offsets);
    }

    /// <summary>The high-water marks with <paramref name="position"/> recorded; this state's own arrays when unchanged.</summary>
    private (long Generation, int[] Partitions, long[] Offsets) MarksWith(EventPosition position)
    {
        if (position.Generation < _generation) return (_generation, _partitions, _offsets);
        if (position.Generation > _generation) return (position.Generation, [position.Partition], [position.Offset]);
        var (partition, offset) = (position.Partition, position.Offset);
        var i = Array.BinarySearch(_partitions, partition);
        if (i >= 0)
        {
            if (_offsets[i] >= offset) return (_generation, _partitions, _offsets);
            var offsets = (long[])_offsets.Clone();
            offsets[i] = offset;
            return (_generation, _partitions, offsets);
        }

        i = ~i;
        var ps = new int[_partitions.Length + 1];
        var os = new long[_offsets.Length + 1];
        Array.Copy(_partitions, ps, i);
        Array.Copy(_offsets, os, i);
        ps[i] = partition;
        os[i] = offset;
        Array.Copy(_partitions, i, ps, i + 1, _partitions.Length - i);
        Array.Copy(_offsets, i, os, i + 1, _offsets.Length - i);
        return (_generation, ps, os);
    }

    private static Chunk[] Roll(Chunk[] full, Chunk completed)
    {
        var drop = full.Length == FullChunks ? 1 : 0;
        var next = new Chunk[full.Length - drop + 1];
        Array.Copy(full, drop, next, 0, full.Length - drop);
        next[^1] = completed;
        return next;
    }

    /// <summary>
    /// The id as the window keeps it: XXH3-64 (seed 0) of its UTF-8 bytes. Persisted, so it never changes:
    /// the same id hashes the same in every process, version and machine.
    /// </summary>
    public static ulong HashOf(string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        // Ids are at most 128 chars by the event contract (at most 384 UTF-8 bytes); anything longer uses the heap.
        var max = Encoding.UTF8.GetMaxByteCount(eventId.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[512] : new byte[max];
        var length = Encoding.UTF8.GetBytes(eventId, utf8);
        return XxHash3.HashToUInt64(utf8[..length]);
    }

    public bool Equals(DedupeState? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_generation == other._generation
                && _partitions.AsSpan().SequenceEqual(other._partitions)
                && _offsets.AsSpan().SequenceEqual(other._offsets)
                && RecentEventIdHashes.SequenceEqual(other.RecentEventIdHashes)));

    public override int GetHashCode() => HashCode.Combine(RecentEventIdCount, _partitions.Length);

    private sealed class Chunk
    {
        public readonly ulong[] Hashes = new ulong[ChunkSize];
        private int _claimed; // slots [0, _claimed) are owned by some state

        /// <summary>Takes slot <paramref name="count"/> if nobody has; a state with <paramref name="count"/> ids owns [0, count).</summary>
        public bool Claim(int count) => Interlocked.CompareExchange(ref _claimed, count + 1, count) == count;

        public Chunk CopyPrefix(int count)
        {
            var copy = new Chunk { _claimed = count + 1 };
            Array.Copy(Hashes, copy.Hashes, count);
            return copy;
        }

        public bool Contains(int count, ulong hash) => Hashes.AsSpan(0, count).Contains(hash);
    }
}
