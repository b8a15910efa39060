using System.Runtime.InteropServices;

namespace DmpActors.Domain.Profiles.Windows;

/// <summary>
/// Sorted 64-bit window words packed as varints: the word count, then per word the gap from the previous key
/// (position and series, the top 16 bits) and the value. Keys are dense and counts small, so a word takes about
/// two bytes instead of eight. Canonical: equal word lists pack to equal bytes.
/// </summary>
internal static class PackedWords
{
    private const int ValueBits = 48;
    private const ulong ValueMask = (1UL << ValueBits) - 1;

    public static byte[] Pack(ReadOnlySpan<ulong> words)
    {
        if (words.IsEmpty) return [];
        // Two passes: size, then write, so the only allocation is the result.
        var size = SizeOf((ulong)words.Length);
        ulong previousKey = 0;
        foreach (var word in words)
        {
            size += SizeOf((word >> ValueBits) - previousKey) + SizeOf(word & ValueMask);
            previousKey = word >> ValueBits;
        }

        var packed = new byte[size];
        var n = Write(packed, 0, (ulong)words.Length);
        previousKey = 0;
        foreach (var word in words)
        {
            var key = word >> ValueBits;
            n = Write(packed, n, key - previousKey);
            n = Write(packed, n, word & ValueMask);
            previousKey = key;
        }

        return packed;
    }

    private static int SizeOf(ulong value) => Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7);

    public static int Count(byte[] packed)
    {
        if (packed.Length == 0) return 0;
        var at = 0;
        return (int)Read(packed, ref at);
    }

    public static ulong[] Unpack(byte[] packed)
    {
        var words = new ulong[Count(packed)];
        Decode(packed, words);
        return words;
    }

    /// <summary><see cref="Unpack"/> into a reused list (its contents replaced).</summary>
    public static void UnpackInto(byte[] packed, List<ulong> words)
    {
        CollectionsMarshal.SetCount(words, Count(packed));
        Decode(packed, CollectionsMarshal.AsSpan(words));
    }

    /// <summary>Decodes the <see cref="Count"/> words that follow the count into <paramref name="words"/>.</summary>
    private static void Decode(byte[] packed, Span<ulong> words)
    {
        if (words.IsEmpty) return;
        var at = 0;
        Read(packed, ref at); // the count, already known
        ulong key = 0;
        for (var i = 0; i < words.Length; i++)
        {
            key += Read(packed, ref at);
            words[i] = key << ValueBits | Read(packed, ref at);
        }
    }

    private static int Write(Span<byte> buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }

    private static ulong Read(byte[] packed, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = packed[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
