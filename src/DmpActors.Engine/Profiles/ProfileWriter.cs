using Akka.Actor;
using Akka.Event;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Group commit for profile state: saves that arrive while a transaction is running wait and go
/// together in the next one, so the batch grows with the load. When idle, the first save waits a
/// short linger for the rest of its checkpoint instead of opening a transaction for itself. It also writes the
/// identity transactions (a merge's two rows and record, an erasure), so entities never call the store themselves.
/// A merge waits for the saves of its two ids that are queued or being written: written after it, a save fenced by
/// the version its entity knew would find the merge's row and be refused as stale, reloading a healthy entity.
/// Likewise an entity's load (<see cref="AfterWrites"/>) waits for every write of its id that is queued or running: a
/// new life that read the row before its previous life's last save or merge landed would build on a version the store
/// no longer holds.
/// </summary>
public sealed class ProfileWriter : ReceiveActor, IWithTimers
{
    private sealed record LingerOver;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);

    private sealed record WriteCompleted(IReadOnlyList<SaveProfile> Batch, SaveResult Result, TimeSpan Took);
    private sealed record MergeDone(WriteMerge Write, IActorRef ReplyTo, object Answer);
    private sealed record WriteFailed(IReadOnlyList<SaveProfile> Batch, Exception Cause);

    private readonly IProfileStore _store;
    private readonly int _maxBatch;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private List<SaveProfile> _pending = new();
    private bool _writing;
    private readonly Dictionary<string, int> _unwritten = new(StringComparer.Ordinal); // saves per id not yet written
    private readonly Dictionary<string, int> _merging = new(StringComparer.Ordinal); // merges per id not yet written
    private readonly Dictionary<string, List<(AfterWrites Request, IActorRef Sender)>> _afterWrites = new(StringComparer.Ordinal);
    private readonly List<(WriteMerge Write, IActorRef ReplyTo)> _mergesWaiting = [];
    private System.Diagnostics.Activity? _writeSpan;

    public ProfileWriter(IProfileStore store, int maxBatch)
    {
        _store = store;
        _maxBatch = maxBatch;
        Receive<SaveProfile>(save =>
        {
            _pending.Add(save);
            _unwritten[save.UserId] = _unwritten.GetValueOrDefault(save.UserId) + 1;
            if (_writing) return;
            if (_pending.Count >= _maxBatch) StartWrite();
            else if (_pending.Count == 1) Timers.StartSingleTimer("linger", new LingerOver(), Linger);
        });
        // Identity transactions run beside the batches, each in its own store transaction; the entity that asked waits.
        Receive<WriteMerge>(write =>
        {
            Count(_merging, write.Survivor.Id, +1);
            Count(_merging, write.Other.Id, +1);
            if (!Unwritten(write)) Merge(write, Sender);
            else
            {
                _mergesWaiting.Add((write, Sender));
                if (!_writing) StartWrite(); // no linger: the merge waits for these saves
            }
        });
        Receive<MergeDone>(done =>
        {
            done.ReplyTo.Tell(done.Answer);
            Count(_merging, done.Write.Survivor.Id, -1);
            Count(_merging, done.Write.Other.Id, -1);
            Release(done.Write.Survivor.Id);
            Release(done.Write.Other.Id);
        });
        Receive<AfterWrites>(request =>
        {
            if (!Busy(request.UserId)) request.Target.Tell(request.Message, Sender);
            else if (_afterWrites.TryGetValue(request.UserId, out var waiting)) waiting.Add((request, Sender));
            else _afterWrites[request.UserId] = [(request, Sender)];
        });
        Receive<EraseProfiles>(erase => _store.EraseAsync(erase.Ids, erase.QuarantineUntil).PipeTo(Sender,
            success: () => new ProfilesErased(erase.QuarantineUntil),
            failure: ex => new StoreRequestFailed(ex)));
        Receive<LingerOver>(_ =>
        {
            if (!_writing && _pending.Count > 0) StartWrite();
        });
        Receive<WriteCompleted>(done =>
        {
            _writing = false;
            DmpMetrics.ProfilesSaved.Add(done.Batch.Count);
            DmpMetrics.ProfileWriteDuration.Record(done.Took.TotalMilliseconds);
            DmpTracing.EndWrite(_writeSpan, done.Batch, error: null);
            var stale = done.Result.Stale.Count == 0 ? null : done.Result.Stale.ToHashSet(StringComparer.Ordinal);
            var rejected = done.Result.Rejected.Count == 0 ? null : done.Result.Rejected.ToDictionary(r => r.Id, r => r.Reason, StringComparer.Ordinal);
            foreach (var save in done.Batch)
            {
                if (rejected?.GetValueOrDefault(save.UserId) is { } reason)
                    save.Entity.Tell(new ProfileSaveRejected(save.Version, SaveRejection.Unwritable, reason) { Incarnation = save.Incarnation });
                else if (stale?.Contains(save.UserId) == true)
                    save.Entity.Tell(new ProfileSaveRejected(save.Version, SaveRejection.Stale,
                        $"the store holds a version other than {save.BaseVersion}, which this entity built on") { Incarnation = save.Incarnation });
                else
                    save.Entity.Tell(new ProfileSaved(save.Version) { Incarnation = save.Incarnation });
            }
            Written(done.Batch);
            if (_pending.Count > 0) StartWrite();
        });
        Receive<WriteFailed>(failed =>
        {
            _writing = false;
            DmpMetrics.ProfileWriteFailures.Add(1);
            DmpTracing.EndWrite(_writeSpan, failed.Batch, failed.Cause.GetBaseException().Message);
            _log.Warning(failed.Cause, "Profile write of {0} profiles failed; checkpoints wait and retry", failed.Batch.Count);
            var reason = failed.Cause.GetBaseException().Message;
            foreach (var save in failed.Batch)
                save.Entity.Tell(new ProfileSaveFailed(save.Version, reason) { Incarnation = save.Incarnation });
            Written(failed.Batch);
            if (_pending.Count > 0) StartWrite();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private bool Unwritten(WriteMerge write) => _unwritten.ContainsKey(write.Survivor.Id) || _unwritten.ContainsKey(write.Other.Id);

    private bool Busy(string id) => _unwritten.ContainsKey(id) || _merging.ContainsKey(id);

    private static void Count(Dictionary<string, int> counts, string id, int delta)
    {
        var count = counts.GetValueOrDefault(id) + delta;
        if (count <= 0) counts.Remove(id);
        else counts[id] = count;
    }

    /// <summary>Delivers what waited for the writes of <paramref name="id"/> once none is left.</summary>
    private void Release(string id)
    {
        if (Busy(id) || !_afterWrites.Remove(id, out var waiting)) return;
        foreach (var (request, sender) in waiting) request.Target.Tell(request.Message, sender);
    }

    private void Merge(WriteMerge write, IActorRef replyTo) =>
        _store.SaveMergeAsync(write.Survivor, write.Other, write.Record).PipeTo(Self,
            success: () => new MergeDone(write, replyTo, new MergeWritten(write.LockId)),
            failure: ex => new MergeDone(write, replyTo, new StoreRequestFailed(ex)));

    /// <summary>The batch is written (or failed): the merges that waited only for its saves go now, in arrival order.</summary>
    private void Written(IReadOnlyList<SaveProfile> batch)
    {
        foreach (var save in batch) Count(_unwritten, save.UserId, -1);
        if (_mergesWaiting.Count > 0)
        {
            var ready = _mergesWaiting.Where(m => !Unwritten(m.Write)).ToList();
            _mergesWaiting.RemoveAll(m => !Unwritten(m.Write));
            foreach (var (write, replyTo) in ready) Merge(write, replyTo);
        }
        if (_afterWrites.Count == 0) return;
        foreach (var save in batch) Release(save.UserId);
    }

    private void StartWrite()
    {
        Timers.Cancel("linger");
        List<SaveProfile> batch;
        if (_pending.Count <= _maxBatch)
        {
            batch = _pending;
            _pending = new List<SaveProfile>();
        }
        else
        {
            batch = _pending.GetRange(0, _maxBatch);
            _pending.RemoveRange(0, _maxBatch);
        }
        _writing = true;
        _writeSpan = DmpTracing.StartWrite(batch);
        var rows = new List<StoredProfile>(batch.Count);
        foreach (var save in batch) rows.Add(new StoredProfile(save.UserId, save.State, save.Version, save.Identity) { BaseVersion = save.BaseVersion, Segments = save.Segments, Timers = save.Timers });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _store.SaveAsync(rows).PipeTo(Self,
            success: result => new WriteCompleted(batch, result, System.Diagnostics.Stopwatch.GetElapsedTime(started)),
            failure: ex => new WriteFailed(batch, ex));
    }

    public static Props Props(IProfileStore store, int maxBatch = 20_000) =>
        Akka.Actor.Props.Create(() => new ProfileWriter(store, maxBatch));
}
