using DmpActors.Domain.Identity;

namespace DmpActors.Engine.Storage;

/// <summary>
/// A profile store in this process's memory, with the semantics of the SQLite and PostgreSQL stores (version fencing,
/// rejected rows, merges, erasure and quarantine by hash): for entity tests that need no database. Not durable:
/// everything is gone when the process stops. Every operation is one transaction under one lock, so an erasure and
/// the saves around it never interleave.
/// </summary>
/// <remarks>
/// The faults (<see cref="RefuseRows"/>, <see cref="FailNextSaves"/>, <see cref="HoldSaves"/>) make it behave as a
/// database does when it refuses a row, is unreachable, or is slow, so a test can drive an entity through those paths.
/// </remarks>
public sealed partial class InMemoryProfileStore(TimeProvider? clock = null) : IProfileStore
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Row> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredMerge> _merges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _quarantine = new(StringComparer.Ordinal); // by QuarantineKey
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private (Func<string, bool> Refuses, string Reason)? _refused;
    private (int Count, string Error) _failing;
    private SaveHold? _hold;

    /// <param name="Segments">The member index's rows of this user: the segments its last save named.</param>
    /// <param name="Timers">The due-time index's rows of this user: the timers its last save named.</param>
    private readonly record struct Row(byte[] State, long Version, byte[]? Identity, string[] Segments, Domain.Modules.UserTimer[] Timers);

    public string Description => "memory (not durable)";

    public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) =>
        Transaction<IReadOnlyDictionary<string, StoredProfile>>(() =>
        {
            var found = new Dictionary<string, StoredProfile>(ids.Count, StringComparer.Ordinal);
            var now = _clock.GetUtcNow();
            foreach (var id in ids)
                if (_profiles.TryGetValue(id, out var row) && !IsQuarantined(id, now))
                    found[id] = new StoredProfile(id, [.. row.State], row.Version, row.Identity is null ? null : [.. row.Identity]);
            return found;
        }, ct);

    public async Task<SaveResult> SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default)
    {
        if (profiles.Count == 0) return SaveResult.AllWritten;
        // Completes on another thread, as a database call does: a caller saving in a loop gives its thread back.
        await Task.Yield();
        if (Volatile.Read(ref _hold) is { } hold) await hold.WaitAsync(ct);
        ct.ThrowIfCancellationRequested();
        var stale = new List<string>();
        var rejected = new List<RejectedRow>();
        lock (_gate)
        {
            if (_failing.Count > 0)
            {
                _failing.Count--;
                throw new IOException(_failing.Error);
            }
            var now = _clock.GetUtcNow();
            foreach (var profile in profiles)
            {
                if (IsQuarantined(profile.Id, now)) continue; // the erasure is what the caller wanted: neither stale nor rejected
                if (_refused is { } refused && refused.Refuses(profile.Id)) rejected.Add(new RejectedRow(profile.Id, refused.Reason));
                else if (!TryUpsert(profile, now)) stale.Add(profile.Id);
            }
        }
        return stale.Count == 0 && rejected.Count == 0 ? SaveResult.AllWritten : new SaveResult(stale, rejected);
    }

    /// <summary>The fence both databases apply: with a base version only over exactly that stored version (no row for
    /// 0), without one only over an older or equal version. A quarantined id is never written.</summary>
    private bool TryUpsert(StoredProfile profile, DateTimeOffset now)
    {
        if (IsQuarantined(profile.Id, now)) return false;
        var exists = _profiles.TryGetValue(profile.Id, out var stored);
        var fenced = profile.BaseVersion is { } basedOn
            ? exists ? stored.Version == basedOn : basedOn == 0
            : !exists || profile.Version >= stored.Version;
        if (!fenced) return false;
        var segments = profile.Segments is { } named ? named.Distinct(StringComparer.Ordinal).ToArray() : exists ? stored.Segments : [];
        var timers = profile.Timers is { } named2 ? named2.ToArray() : exists ? stored.Timers : [];
        PutRow(profile.Id, new Row([.. profile.State], profile.Version, profile.Identity is null ? null : [.. profile.Identity], segments, timers));
        return true;
    }

    private bool IsQuarantined(string id, DateTimeOffset now) =>
        _quarantine.Count > 0 && _quarantine.TryGetValue(IdentityHashes.QuarantineKey(id), out var until) && until > now;

    public Task<bool> DeleteAsync(string id, CancellationToken ct = default) => Transaction(() => PutRow(id, null), ct);

    public Task<long> CountAsync(CancellationToken ct = default) => Transaction(() => (long)_profiles.Count, ct);

    public Task PingAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task<long> NextSequenceAsync(string name, CancellationToken ct = default) =>
        Transaction(() => _sequences[name] = _sequences.GetValueOrDefault(name) + 1, ct);

    public Task<long?> ReadSequenceAsync(string name, CancellationToken ct = default) =>
        Transaction(() => _sequences.TryGetValue(name, out var value) ? value : (long?)null, ct);

    public Task SaveMergeAsync(StoredProfile survivor, StoredProfile absorbed, StoredMerge merge, CancellationToken ct = default) =>
        Transaction(() =>
        {
            var now = _clock.GetUtcNow();
            var before = new[] { Before(survivor.Id), Before(absorbed.Id) };
            try
            {
                foreach (var profile in new[] { survivor, absorbed })
                    if (!TryUpsert(profile, now)) throw new StaleProfileException(profile.Id);
                if (merge.UndoneAt is { } undone)
                {
                    if (!_merges.TryGetValue(merge.MergeId, out var recorded) || recorded.UndoneAt is not null)
                        throw new InvalidOperationException($"merge {merge.MergeId} is not recorded or already undone");
                    _merges[merge.MergeId] = recorded with { UndoneAt = undone };
                }
                else if (!_merges.TryAdd(merge.MergeId, merge with { Payload = [.. merge.Payload] }))
                    throw new InvalidOperationException($"merge {merge.MergeId} is already recorded");
            }
            catch
            {
                // Nothing is written unless all of it is: both rows go back to what they were.
                foreach (var (id, kept) in before) PutRow(id, kept);
                throw;
            }
        }, ct);

    private (string Id, Row? Kept) Before(string id) => (id, _profiles.TryGetValue(id, out var row) ? row : (Row?)null);

    public Task<StoredMerge?> LoadMergeAsync(string mergeId, CancellationToken ct = default) =>
        Transaction(() => _merges.GetValueOrDefault(mergeId), ct);

    public Task<IReadOnlyList<StoredMerge>> LoadMergesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        return Transaction<IReadOnlyList<StoredMerge>>(() => _merges.Values.Where(m => wanted.Contains(m.SurvivorId) || wanted.Contains(m.AbsorbedId))
            .OrderBy(m => m.At).ThenBy(m => m.MergeId, StringComparer.Ordinal).ToList(), ct);
    }

    public Task EraseAsync(IReadOnlyCollection<string> ids, DateTimeOffset quarantineUntil, CancellationToken ct = default)
    {
        var erased = ids.ToHashSet(StringComparer.Ordinal);
        return Transaction(() =>
        {
            var now = _clock.GetUtcNow();
            foreach (var (key, until) in _quarantine.ToList())
                if (until <= now) _quarantine.Remove(key);
            foreach (var id in erased)
            {
                PutRow(id, null);
                var key = IdentityHashes.QuarantineKey(id);
                _quarantine[key] = _quarantine.TryGetValue(key, out var until) && until > quarantineUntil ? until : quarantineUntil;
            }
            foreach (var merge in _merges.Values.Where(m => erased.Contains(m.SurvivorId) || erased.Contains(m.AbsorbedId)).ToList())
                _merges.Remove(merge.MergeId);
        }, ct);
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> LoadQuarantineAsync(IReadOnlyCollection<string> ids, DateTimeOffset now, CancellationToken ct = default) =>
        Transaction<IReadOnlyDictionary<string, DateTimeOffset>>(() =>
        {
            var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var id in ids)
                if (_quarantine.TryGetValue(IdentityHashes.QuarantineKey(id), out var until) && until > now) found[id] = until;
            return found;
        }, ct);

    private Task Transaction(Action work, CancellationToken ct) => Transaction(() =>
    {
        work();
        return true;
    }, ct);

    /// <summary>Runs <paramref name="work"/> under the lock; what it throws comes back as the task's fault, as a
    /// database call's error does.</summary>
    private Task<T> Transaction<T>(Func<T> work, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<T>(ct);
        try
        {
            lock (_gate) return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>From now on, rows whose id <paramref name="refuses"/> are reported rejected with <paramref name="reason"/>
    /// and the rest of their batch commits, as a database refuses a row it cannot hold (a NUL in an id on PostgreSQL).</summary>
    public void RefuseRows(Func<string, bool> refuses, string reason)
    {
        lock (_gate) _refused = (refuses, reason);
    }

    /// <summary>The next <paramref name="count"/> saves throw an <see cref="IOException"/> and write nothing, as when
    /// the database cannot be reached.</summary>
    public void FailNextSaves(int count, string error = "the profile store cannot be reached")
    {
        lock (_gate) _failing = (count, error);
    }

    /// <summary>Saves wait until the returned hold is released (disposed), as behind a slow transaction; its
    /// <see cref="SaveHold.Reached"/> completes when the first one arrives.</summary>
    public SaveHold HoldSaves()
    {
        SaveHold hold = null!;
        hold = new SaveHold(() => Interlocked.CompareExchange(ref _hold, null, hold));
        return Interlocked.CompareExchange(ref _hold, hold, null) is null ? hold : throw new InvalidOperationException("saves are held already");
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _hold, null)?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Saves of an <see cref="InMemoryProfileStore"/> waiting until this is disposed.</summary>
public sealed class SaveHold : IDisposable
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _detach;

    internal SaveHold(Action detach) => _detach = detach;

    /// <summary>Completes when the first save arrives at the hold.</summary>
    public Task Reached => _reached.Task;

    internal Task WaitAsync(CancellationToken ct)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(ct);
    }

    /// <summary>Lets every held save (and every later one) through.</summary>
    public void Dispose()
    {
        _detach();
        _released.TrySetResult();
    }
}
