using Akka.Actor;
using Akka.Event;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Batches profile loads: entities that start while a query runs are answered by the next query,
/// so a burst of new users costs a few round trips instead of one each. Merge records (for an unmerge) are loaded one
/// at a time: they are rare.
/// </summary>
public sealed class ProfileLoader : ReceiveActor
{
    private const int MaxIdsPerQuery = 2_000;
    private sealed record LoadCompleted(IReadOnlyList<(string Id, IActorRef ReplyTo)> Batch, IReadOnlyDictionary<string, StoredProfile> Found,
        IReadOnlyDictionary<string, DateTimeOffset> Quarantined);
    private sealed record LoadFailed(IReadOnlyList<(string Id, IActorRef ReplyTo)> Batch, Exception Cause);

    private readonly IProfileStore _store;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private List<(string Id, IActorRef ReplyTo)> _pending = new();
    private bool _loading;

    public ProfileLoader(IProfileStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        Receive<LoadProfile>(load =>
        {
            _pending.Add((load.UserId, Sender));
            if (!_loading) StartLoad();
        });
        Receive<LoadMerge>(load => _store.LoadMergeAsync(load.MergeId).PipeTo(Sender,
            success: record => new MergeLoaded(record),
            failure: ex => new StoreRequestFailed(ex)));
        Receive<LoadCompleted>(done =>
        {
            _loading = false;
            foreach (var (id, replyTo) in done.Batch)
                replyTo.Tell(done.Found.TryGetValue(id, out var stored)
                    ? new ProfileLoaded(id, stored.State, stored.Version, stored.Identity)
                    : new ProfileLoaded(id, null, 0, null, done.Quarantined.TryGetValue(id, out var until) ? until : null));
            if (_pending.Count > 0) StartLoad();
        });
        Receive<LoadFailed>(failed =>
        {
            _loading = false;
            _log.Warning(failed.Cause, "Loading {0} profiles failed", failed.Batch.Count);
            var reason = failed.Cause.GetBaseException().Message;
            foreach (var (id, replyTo) in failed.Batch) replyTo.Tell(new ProfileLoadFailed(id, reason));
            if (_pending.Count > 0) StartLoad();
        });
    }

    private void StartLoad()
    {
        var take = Math.Min(_pending.Count, MaxIdsPerQuery);
        var batch = _pending.GetRange(0, take);
        _pending.RemoveRange(0, take);
        _loading = true;
        var ids = new HashSet<string>(batch.Select(b => b.Id), StringComparer.Ordinal);
        LoadAsync(ids).PipeTo(Self,
            success: loaded => new LoadCompleted(batch, loaded.Found, loaded.Quarantined),
            failure: ex => new LoadFailed(batch, ex));
    }

    /// <summary>Only ids without a profile can be quarantined (erasure deletes the row), so only those are looked up.</summary>
    private async Task<(IReadOnlyDictionary<string, StoredProfile> Found, IReadOnlyDictionary<string, DateTimeOffset> Quarantined)> LoadAsync(HashSet<string> ids)
    {
        var found = await _store.LoadAsync(ids);
        var missing = ids.Where(id => !found.ContainsKey(id)).ToList();
        return (found, await _store.LoadQuarantineAsync(missing, _clock.GetUtcNow()));
    }

    public static Props Props(IProfileStore store, TimeProvider clock) => Akka.Actor.Props.Create(() => new ProfileLoader(store, clock));
}
