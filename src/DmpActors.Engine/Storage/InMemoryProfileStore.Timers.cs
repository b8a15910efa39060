namespace DmpActors.Engine.Storage;

/// <summary>The due-time index: each row holds its user's timers as its last save named them.</summary>
public sealed partial class InMemoryProfileStore
{
    /// <summary>Linear in the number of rows: this store holds what a test puts in it.</summary>
    public Task<IReadOnlyList<DueTimer>> LoadDueTimersAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Transaction<IReadOnlyList<DueTimer>>(() => _profiles
            .SelectMany(p => p.Value.Timers.Where(t => t.DueAt <= now).Select(t => new DueTimer(p.Key, t.Module, t.Key, t.DueAt)))
            .OrderBy(t => t.DueAt)
            .Take(limit)
            .ToList(), ct);
    }
}
