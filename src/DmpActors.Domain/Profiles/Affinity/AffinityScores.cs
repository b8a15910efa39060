namespace DmpActors.Domain.Profiles.Affinity;

/// <summary>One key's affinity: the decayed score at a query time.</summary>
public readonly record struct AffinityScore(string Key, double Score);

/// <summary>
/// Interest scores with exponential time decay: a signal of weight w at event time t is worth w·2^(−(now−t)/half-life)
/// at <c>now</c>. Each key keeps log2 of its score at a fixed epoch, so adding a signal is a log-sum-exp that never
/// overflows and never rescales other keys, and ranking needs no query time. At most
/// <see cref="ProfileRules.MaxAffinities"/> keys are kept: a new key enters only if it outscores the weakest. Immutable.
/// </summary>
/// <remarks>
/// <see cref="Merge"/> adds another user's scores key by key (the same as if both users' signals had been applied to
/// one profile) and keeps the strongest keys; it is commutative up to floating-point rounding. Merging twice adds twice.
/// </remarks>
public sealed class AffinityScores : IEquatable<AffinityScores>
{
    public static AffinityScores Empty { get; } = new([], []);

    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string[] _keys;
    private readonly double[] _logScores; // log2 of the score at Epoch, in half-lives

    private AffinityScores(string[] keys, double[] logScores)
    {
        _keys = keys;
        _logScores = logScores;
    }

    public int Count => _keys.Length;

    /// <summary>Adds a signal of <paramref name="weight"/> (> 0) for <paramref name="key"/> at event time <paramref name="at"/>.</summary>
    public AffinityScores Add(string key, double weight, DateTimeOffset at, ProfileRules rules) =>
        AddLog(key, Math.Log2(weight) + HalfLivesSinceEpoch(at, rules), rules.MaxAffinities);

    /// <summary>Keys by score at <paramref name="now"/>, strongest first (ties by key), at most <paramref name="top"/>.</summary>
    public IReadOnlyList<AffinityScore> Top(int top, DateTimeOffset now, ProfileRules rules)
    {
        var shift = HalfLivesSinceEpoch(now, rules);
        return Enumerable.Range(0, _keys.Length)
            .OrderByDescending(i => _logScores[i]).ThenBy(i => _keys[i], StringComparer.Ordinal)
            .Take(top)
            .Select(i => new AffinityScore(_keys[i], Math.Pow(2, _logScores[i] - shift)))
            .ToArray();
    }

    /// <summary>The score of one key at <paramref name="now"/> (0 when not kept).</summary>
    public double ScoreOf(string key, DateTimeOffset now, ProfileRules rules)
    {
        var i = Array.IndexOf(_keys, key);
        return i < 0 ? 0 : Math.Pow(2, _logScores[i] - HalfLivesSinceEpoch(now, rules));
    }

    /// <summary>Adds <paramref name="other"/>'s scores to these (see the type's remarks).</summary>
    public AffinityScores Merge(AffinityScores other, ProfileRules rules)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = this;
        for (var i = 0; i < other._keys.Length; i++) merged = merged.AddLog(other._keys[i], other._logScores[i], rules.MaxAffinities);
        return merged;
    }

    /// <summary>Persisted parts: keys and their log2 scores at the fixed epoch, in the same order.</summary>
    public (IReadOnlyList<string> Keys, IReadOnlyList<double> LogScores) Parts => (_keys, _logScores);

    public static AffinityScores Restore(string[] keys, double[] logScores)
    {
        if (keys.Length != logScores.Length) throw new FormatException("affinity keys and scores differ in length");
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Length) throw new FormatException("affinity keys repeat");
        return keys.Length == 0 ? Empty : new AffinityScores(keys, logScores);
    }

    public bool Equals(AffinityScores? other) =>
        other is not null && _keys.AsSpan().SequenceEqual(other._keys) && _logScores.AsSpan().SequenceEqual(other._logScores);

    public override bool Equals(object? obj) => Equals(obj as AffinityScores);

    public override int GetHashCode() => _keys.Length;

    private static double HalfLivesSinceEpoch(DateTimeOffset at, ProfileRules rules) =>
        (at.UtcTicks - Epoch.UtcTicks) / (double)rules.AffinityHalfLife.Ticks;

    private AffinityScores AddLog(string key, double log, int max)
    {
        var i = Array.IndexOf(_keys, key);
        if (i >= 0)
        {
            var scores = (double[])_logScores.Clone();
            scores[i] = LogSum(scores[i], log);
            return new AffinityScores(_keys, scores);
        }

        if (_keys.Length < max) return new AffinityScores([.. _keys, key], [.. _logScores, log]);

        var weakest = 0;
        for (var k = 1; k < _keys.Length; k++)
        {
            if (_logScores[k] < _logScores[weakest] || (_logScores[k] == _logScores[weakest] && string.CompareOrdinal(_keys[k], _keys[weakest]) > 0))
                weakest = k;
        }

        if (log <= _logScores[weakest]) return this;
        var keys = (string[])_keys.Clone();
        var logs = (double[])_logScores.Clone();
        keys[weakest] = key;
        logs[weakest] = log;
        return new AffinityScores(keys, logs);
    }

    /// <summary>log2(2^a + 2^b) without overflow.</summary>
    private static double LogSum(double a, double b)
    {
        var (hi, lo) = a >= b ? (a, b) : (b, a);
        return hi + Math.Log2(1 + Math.Pow(2, lo - hi));
    }
}
