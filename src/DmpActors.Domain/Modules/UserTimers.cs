namespace DmpActors.Domain.Modules;

/// <summary>One timer of one user: module <see cref="Module"/> asked to be called back at <see cref="DueAt"/> about
/// <see cref="Key"/> (the segments module's re-check, a campaign's "no purchase within 30 minutes").</summary>
public readonly record struct UserTimer(string Module, string Key, DateTimeOffset DueAt);

/// <summary>
/// The timers of one profile, at most one per (module, key), ordered by module and key. Immutable: <see cref="With"/>
/// gives the same instance when nothing changes, so the entity copies the profile only for a real change. The
/// profile store keeps a due-time index of them, written with the profile, from which the node's timer service
/// wakes the entities whose timers are due, live or not.
/// </summary>
public sealed class UserTimers : IEquatable<UserTimers>
{
    /// <summary>Bounds a profile's timers (a module's keys are its own business, but not unbounded).</summary>
    public const int MaxTimers = 64;

    public static UserTimers Empty { get; } = new([]);

    private readonly UserTimer[] _timers;

    private UserTimers(UserTimer[] timers) => _timers = timers;

    public IReadOnlyList<UserTimer> All => _timers;

    public int Count => _timers.Length;

    /// <summary>The earliest due time, or null without timers.</summary>
    public DateTimeOffset? Next
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var t in _timers)
                if (next is null || t.DueAt < next) next = t.DueAt;
            return next;
        }
    }

    public DateTimeOffset? Find(string module, string key)
    {
        var i = IndexOf(module, key);
        return i >= 0 ? _timers[i].DueAt : null;
    }

    /// <summary>The timers due at <paramref name="now"/>, earliest first.</summary>
    public IReadOnlyList<UserTimer> DueAt(DateTimeOffset now) => _timers.Where(t => t.DueAt <= now).OrderBy(t => t.DueAt).ToArray();

    /// <summary>With the timer of (<paramref name="module"/>, <paramref name="key"/>) due at <paramref name="dueAt"/>,
    /// or without it when null.</summary>
    /// <exception cref="InvalidOperationException">A new timer beyond <see cref="MaxTimers"/>.</exception>
    public UserTimers With(string module, string key, DateTimeOffset? dueAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        ArgumentNullException.ThrowIfNull(key);
        var i = IndexOf(module, key);
        if (dueAt is not { } at)
            return i < 0 ? this : new UserTimers([.. _timers[..i], .. _timers[(i + 1)..]]);
        if (i >= 0)
        {
            if (_timers[i].DueAt == at) return this;
            var copy = (UserTimer[])_timers.Clone();
            copy[i] = copy[i] with { DueAt = at };
            return new UserTimers(copy);
        }

        if (_timers.Length >= MaxTimers) throw new InvalidOperationException($"a profile holds at most {MaxTimers} timers");
        var insert = ~i;
        return new UserTimers([.. _timers[..insert], new UserTimer(module, key, at), .. _timers[insert..]]);
    }

    /// <summary>Restores timers read back from storage (any order; the latest of a duplicate key wins).</summary>
    public static UserTimers Restore(IEnumerable<UserTimer> timers)
    {
        var result = Empty;
        foreach (var t in timers) result = result.With(t.Module, t.Key, t.DueAt);
        return result;
    }

    private int IndexOf(string module, string key)
    {
        int lo = 0, hi = _timers.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Compare(_timers[mid], module, key);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        return ~lo;
    }

    private static int Compare(UserTimer t, string module, string key)
    {
        var c = string.CompareOrdinal(t.Module, module);
        return c != 0 ? c : string.CompareOrdinal(t.Key, key);
    }

    public bool Equals(UserTimers? other) => other is not null && _timers.AsSpan().SequenceEqual(other._timers);

    public override bool Equals(object? obj) => Equals(obj as UserTimers);

    public override int GetHashCode() => _timers.Length;
}
