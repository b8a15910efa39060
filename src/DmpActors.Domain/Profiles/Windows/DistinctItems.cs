using System.Numerics;

namespace DmpActors.Domain.Profiles.Windows;

/// <summary>
/// Distinct items viewed, by when each was last seen. Up to a bound (<see cref="ProfileRules.DistinctItemsExactBound"/>)
/// every item is kept exactly as a 32-bit hash plus its last-seen minute (8 bytes). Beyond the bound, the item seen
/// longest ago moves into a per-day HyperLogLog sketch (32 four-bit registers, 16 bytes a day, 30 days at most), and
/// counts over windows that reach such a day become estimates (about ±18%). Immutable.
/// </summary>
/// <remarks>
/// <see cref="Merge"/> folds another user's items in: last-seen is the later of the two, sketches take the register
/// maximum. Within the bound the result does not depend on argument or arrival order; beyond it, which items stay
/// exact does (it is still a fair estimate).
/// </remarks>
public sealed class DistinctItems : IEquatable<DistinctItems>
{
    public static DistinctItems Empty { get; } = new([], []);

    private const int Registers = 32;
    private const int MaxRank = 15;

    // Sorted by hash: hash << 32 | last-seen epoch minute.
    private readonly ulong[] _exact;
    // Sorted by day: (day, registers 0–15, registers 16–31) triples.
    private readonly ulong[] _sketches;

    private DistinctItems(ulong[] exact, ulong[] sketches)
    {
        _exact = exact;
        _sketches = sketches;
    }

    public int ExactCount => _exact.Length;

    /// <summary>Days that hold a sketch (only after the exact bound overflowed).</summary>
    public int SketchDays => _sketches.Length / 3;

    /// <summary>Stable 32-bit hash of an item id (FNV-1a over UTF-16 code units, folded).</summary>
    public static uint HashOf(string itemId)
    {
        var h = 14695981039346656037UL;
        foreach (var c in itemId) h = (h ^ c) * 1099511628211UL;
        return (uint)(h ^ (h >> 32));
    }

    /// <summary>Notes that the item was viewed at the minute; <paramref name="oldestDay"/> is the first day the
    /// windows still keep (older sketches are dropped).</summary>
    public DistinctItems Record(uint hash, long minute, int bound, long oldestDay)
    {
        var i = FindHash(_exact, hash);
        if (i >= 0)
        {
            if ((long)(uint)_exact[i] >= minute) return this;
            var updated = (ulong[])_exact.Clone();
            updated[i] = Entry(hash, minute);
            return new DistinctItems(updated, _sketches);
        }

        if (_exact.Length < bound) return new DistinctItems(Insert(_exact, ~i, Entry(hash, minute)), _sketches);

        var oldest = Oldest(_exact);
        var candidate = Entry(hash, minute);
        if (Older(candidate, _exact[oldest])) return new DistinctItems(_exact, Sketch(_sketches, candidate, oldestDay));
        var evicted = _exact[oldest];
        var without = Remove(_exact, oldest);
        return new DistinctItems(Insert(without, ~FindHash(without, hash), candidate), Sketch(_sketches, evicted, oldestDay));
    }

    /// <summary>Drops sketches of days before <paramref name="oldestDay"/>.</summary>
    public DistinctItems Expire(long oldestDay)
    {
        if (_sketches.Length == 0 || (long)_sketches[0] >= oldestDay) return this;
        var keep = 0;
        while (keep < _sketches.Length && (long)_sketches[keep] < oldestDay) keep += 3;
        return new DistinctItems(_exact, _sketches[keep..]);
    }

    /// <summary>Distinct items last seen at or after <paramref name="fromMinute"/> (sketched days that reach it count
    /// too); <c>Exact</c> is false when a sketch contributed.</summary>
    public (long Count, bool Exact) CountSince(long fromMinute, long toMinute)
    {
        long exact = 0;
        foreach (var e in _exact)
        {
            if ((long)(uint)e >= fromMinute) exact++;
        }

        Span<byte> registers = stackalloc byte[Registers];
        var sketched = false;
        for (var k = 0; k < _sketches.Length; k += 3)
        {
            var dayStart = (long)_sketches[k] * BucketGrid.MinutesPerDay;
            if (dayStart + BucketGrid.MinutesPerDay <= fromMinute || dayStart > toMinute) continue;
            sketched = true;
            for (var r = 0; r < Registers; r++) registers[r] = Math.Max(registers[r], Register(_sketches, k, r));
        }

        if (!sketched) return (exact, true);
        foreach (var e in _exact)
        {
            if ((long)(uint)e < fromMinute) continue;
            var (r, rank) = RegisterAndRank((uint)(e >> 32));
            registers[r] = Math.Max(registers[r], rank);
        }

        return (Math.Max(exact, Estimate(registers)), false);
    }

    /// <summary>Folds <paramref name="other"/> into this set (see the type's remarks).</summary>
    public DistinctItems Merge(DistinctItems other, int bound, long oldestDay)
    {
        var merged = this;
        foreach (var e in other._exact) merged = merged.Record((uint)(e >> 32), (uint)e, bound, oldestDay);
        var sketches = merged._sketches;
        for (var k = 0; k < other._sketches.Length; k += 3)
        {
            if ((long)other._sketches[k] < oldestDay) continue;
            sketches = MaxInto(sketches, other._sketches[k], other._sketches[k + 1], other._sketches[k + 2]);
        }

        return new DistinctItems(merged._exact, sketches);
    }

    /// <summary>Persisted parts: exact entries (hash, last-seen minute) and sketches (day, low, high registers).</summary>
    public IReadOnlyList<ulong> ExactEntries => _exact;

    public IReadOnlyList<ulong> SketchWords => _sketches;

    /// <summary>Rebuilds a set from <see cref="ExactEntries"/> and <see cref="SketchWords"/>.</summary>
    public static DistinctItems Restore(ulong[] exact, ulong[] sketches)
    {
        if (sketches.Length % 3 != 0) throw new FormatException("distinct-item sketches must be (day, low, high) triples");
        for (var i = 1; i < exact.Length; i++)
        {
            if ((exact[i] >> 32) <= (exact[i - 1] >> 32)) throw new FormatException("distinct items must be sorted by hash without repeats");
        }

        return exact.Length == 0 && sketches.Length == 0 ? Empty : new DistinctItems(exact, sketches);
    }

    public bool Equals(DistinctItems? other) =>
        other is not null && _exact.AsSpan().SequenceEqual(other._exact) && _sketches.AsSpan().SequenceEqual(other._sketches);

    public override bool Equals(object? obj) => Equals(obj as DistinctItems);

    public override int GetHashCode() => HashCode.Combine(_exact.Length, _sketches.Length);

    private static ulong Entry(uint hash, long minute) => (ulong)hash << 32 | (uint)minute;

    private static int FindHash(ulong[] exact, uint hash)
    {
        int lo = 0, hi = exact.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var h = (uint)(exact[mid] >> 32);
            if (h == hash) return mid;
            if (h < hash) lo = mid + 1;
            else hi = mid - 1;
        }

        return ~lo;
    }

    /// <summary>Seen longer ago; ties broken by hash so eviction is deterministic.</summary>
    private static bool Older(ulong a, ulong b) => (uint)a < (uint)b || ((uint)a == (uint)b && a < b);

    private static int Oldest(ulong[] exact)
    {
        var oldest = 0;
        for (var i = 1; i < exact.Length; i++)
        {
            if (Older(exact[i], exact[oldest])) oldest = i;
        }

        return oldest;
    }

    private static ulong[] Insert(ulong[] a, int at, ulong value)
    {
        var next = new ulong[a.Length + 1];
        Array.Copy(a, next, at);
        next[at] = value;
        Array.Copy(a, at, next, at + 1, a.Length - at);
        return next;
    }

    private static ulong[] Remove(ulong[] a, int at)
    {
        var next = new ulong[a.Length - 1];
        Array.Copy(a, next, at);
        Array.Copy(a, at + 1, next, at, a.Length - at - 1);
        return next;
    }

    private static ulong[] Sketch(ulong[] sketches, ulong entry, long oldestDay)
    {
        var day = BucketGrid.FloorDiv((uint)entry, BucketGrid.MinutesPerDay);
        if (day < oldestDay) return sketches;
        var (r, rank) = RegisterAndRank((uint)(entry >> 32));
        ulong lo = 0, hi = 0;
        if (r < 16) lo = (ulong)rank << (4 * r);
        else hi = (ulong)rank << (4 * (r - 16));
        return MaxInto(sketches, (ulong)day, lo, hi);
    }

    private static ulong[] MaxInto(ulong[] sketches, ulong day, ulong lo, ulong hi)
    {
        var k = 0;
        while (k < sketches.Length && sketches[k] < day) k += 3;
        if (k < sketches.Length && sketches[k] == day)
        {
            var mergedLo = MaxNibbles(sketches[k + 1], lo);
            var mergedHi = MaxNibbles(sketches[k + 2], hi);
            if (mergedLo == sketches[k + 1] && mergedHi == sketches[k + 2]) return sketches;
            var updated = (ulong[])sketches.Clone();
            updated[k + 1] = mergedLo;
            updated[k + 2] = mergedHi;
            return updated;
        }

        var next = new ulong[sketches.Length + 3];
        Array.Copy(sketches, next, k);
        next[k] = day;
        next[k + 1] = lo;
        next[k + 2] = hi;
        Array.Copy(sketches, k, next, k + 3, sketches.Length - k);
        return next;
    }

    private static ulong MaxNibbles(ulong a, ulong b)
    {
        ulong r = 0;
        for (var i = 0; i < 16; i++)
        {
            var shift = 4 * i;
            r |= Math.Max((a >> shift) & 0xF, (b >> shift) & 0xF) << shift;
        }

        return r;
    }

    private static byte Register(ulong[] sketches, int k, int r) =>
        (byte)(r < 16 ? (sketches[k + 1] >> (4 * r)) & 0xF : (sketches[k + 2] >> (4 * (r - 16))) & 0xF);

    /// <summary>Register from the low 5 bits of a mixed 64-bit hash, rank = position of the first 1 in the rest.</summary>
    private static (int Register, byte Rank) RegisterAndRank(uint hash)
    {
        var z = hash + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        var rest = z >> 5;
        var rank = rest == 0 ? MaxRank : Math.Min(MaxRank, BitOperations.LeadingZeroCount(rest) - 5 + 1);
        return ((int)(z & (Registers - 1)), (byte)rank);
    }

    private static long Estimate(ReadOnlySpan<byte> registers)
    {
        double sum = 0;
        var zeros = 0;
        foreach (var m in registers)
        {
            sum += Math.Pow(2, -m);
            if (m == 0) zeros++;
        }

        var estimate = 0.697 * Registers * Registers / sum;
        if (estimate <= 2.5 * Registers && zeros > 0) estimate = Registers * Math.Log((double)Registers / zeros);
        return (long)Math.Round(estimate);
    }
}
