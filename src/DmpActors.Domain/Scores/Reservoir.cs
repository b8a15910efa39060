namespace DmpActors.Domain.Scores;

/// <summary>
/// A uniform sample of at most <see cref="Capacity"/> items from a stream of unknown length (Vitter's algorithm R):
/// after n offers each offered item is held with probability Capacity / n. Memory is bounded by the capacity whatever
/// the stream's length. Not thread-safe; the random source is injected so tests are repeatable.
/// </summary>
public sealed class Reservoir<T>
{
    private readonly T[] _items;
    private readonly Random _random;
    private int _count;

    public Reservoir(int capacity, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(random);
        _items = new T[capacity];
        _random = random;
    }

    public int Capacity => _items.Length;

    /// <summary>Items held now (at most <see cref="Capacity"/>).</summary>
    public int Count => _count;

    /// <summary>Items offered since creation or the last <see cref="Clear"/>.</summary>
    public long Seen { get; private set; }

    /// <summary>Offers one item; returns whether it was kept.</summary>
    public bool Offer(T item) => Offer(item, out _);

    /// <summary>Offers one item; returns whether it was kept, and the item it replaced (default while not full).</summary>
    public bool Offer(T item, out T? evicted)
    {
        Seen++;
        evicted = default;
        if (_count < _items.Length)
        {
            _items[_count++] = item;
            return true;
        }

        var j = _random.NextInt64(Seen);
        if (j >= _items.Length) return false;
        evicted = _items[j];
        _items[j] = item;
        return true;
    }

    /// <summary>A copy of the items held, in slot order.</summary>
    public T[] Snapshot() => _items.AsSpan(0, _count).ToArray();

    public void Clear()
    {
        Array.Clear(_items);
        _count = 0;
        Seen = 0;
    }
}
