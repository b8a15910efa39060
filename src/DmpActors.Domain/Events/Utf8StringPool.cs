using System.Text;

namespace DmpActors.Domain.Events;

/// <summary>
/// Lock-free, bounded intern table for low-cardinality strings (categories, currencies, campaign ids,
/// trait and purpose keys) so that millions of events and profiles share one instance per value.
/// A slot holds an immutable entry; a collision simply replaces it, so memory stays bounded.
/// </summary>
internal static class Utf8StringPool
{
    private const int MaxPooledBytes = 64;
    private const int Slots = 8192;

    private static readonly Entry?[] Table = new Entry?[Slots];

    /// <summary>Strict: invalid UTF-8 throws rather than being silently replaced.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return string.Empty;
        if (utf8.Length > MaxPooledBytes) return StrictUtf8.GetString(utf8);

        var slot = (int)(Fnv1a(utf8) & (Slots - 1));
        var entry = Volatile.Read(ref Table[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8)) return entry.Value;

        var value = StrictUtf8.GetString(utf8);
        Volatile.Write(ref Table[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;
        foreach (var b in bytes) h = (h ^ b) * 16777619u;
        return h;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Value = value;
    }
}
