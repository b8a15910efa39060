using System.Text;

namespace DmpActors.Kafka.Dsl;

/// <summary>
/// The partition Kafka's default producer picks for a key: murmur2 of the key bytes, made positive, modulo the
/// partition count (Java's <c>DefaultPartitioner</c>, librdkafka's <c>murmur2_random</c> for keyed records).
/// Knowing it, a consumer knows which partition a key's records arrive on without asking anyone.
/// librdkafka's own default (<c>consistent_random</c>, CRC32) picks other partitions: producers that should agree
/// with this one set <see cref="Confluent.Kafka.Partitioner.Murmur2Random"/> (kcat: <c>-X partitioner=murmur2_random</c>).
/// </summary>
public static class KafkaPartitioner
{
    /// <summary>The partition of a UTF-8 string key.</summary>
    public static int PartitionOf(string key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var length = Encoding.UTF8.GetByteCount(key);
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(key, bytes);
        return PartitionOf(bytes, partitions);
    }

    public static int PartitionOf(ReadOnlySpan<byte> key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (Murmur2(key) & 0x7fffffff) % partitions;
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), bit for bit.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28cu ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = data[i] | (uint)data[i + 1] << 8 | (uint)data[i + 2] << 16 | (uint)data[i + 3] << 24;
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[whole];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
