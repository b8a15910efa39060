namespace DmpActors.Engine.Storage;

/// <summary>
/// A serialized profile as the store keeps it; <see cref="Version"/> only ever grows per id.
/// <see cref="Identity"/> is the identity state kept beside it (merged ids, tombstone), null when there is none.
/// </summary>
public sealed record StoredProfile(string Id, byte[] State, long Version, byte[]? Identity = null);

/// <summary>
/// The record of one merge: who absorbed whom, when, on which event, and (in <see cref="Payload"/>, opaque to the
/// store) both profiles as they were before, so it can be explained and undone.
/// </summary>
public sealed record StoredMerge(string MergeId, string SurvivorId, string AbsorbedId, DateTimeOffset At, string TriggerEventId,
    byte[] Payload, DateTimeOffset? UndoneAt = null);

/// <summary>A write that would have replaced a newer stored version; the transaction was rolled back.</summary>
public sealed class StaleProfileException(string id) : Exception($"a newer version of profile '{id}' is already stored");

/// <summary>
/// Durable home of per-user state. Writes and reads are batched: one transaction per checkpoint,
/// one query per group of loads. Per-entity journals cannot keep up with ingest (see docs/durability.md).
/// </summary>
public interface IProfileStore : IAsyncDisposable
{
    /// <summary>Human-readable description for logs and /v1/info, without secrets.</summary>
    string Description { get; }

    Task InitializeAsync(CancellationToken ct = default);

    Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default);

    /// <summary>Upserts all profiles in one transaction: all or nothing. Ids in quarantine are skipped: an erased
    /// user is never written back by a save that was already on its way. An id may appear more than once (a
    /// checkpoint's save and a merge's re-save can meet in one batch): the highest version is stored, the later
    /// of equal ones, as writing the rows one by one would leave it.</summary>
    Task SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default);

    Task<bool> DeleteAsync(string id, CancellationToken ct = default);

    Task<long> CountAsync(CancellationToken ct = default);

    /// <summary>Throws when the database cannot be reached.</summary>
    Task PingAsync(CancellationToken ct = default);

    /// <summary>Increments and returns a durable counter (e.g. the embedded broker's log generation).</summary>
    Task<long> NextSequenceAsync(string name, CancellationToken ct = default);

    Task<long?> ReadSequenceAsync(string name, CancellationToken ct = default);

    /// <summary>
    /// One transaction: writes both profiles (each must be newer than what is stored, else
    /// <see cref="StaleProfileException"/>) and inserts <paramref name="merge"/>, or, when its UndoneAt is set, marks
    /// that recorded merge undone (<see cref="InvalidOperationException"/> if it is not recorded or already undone).
    /// Nothing is written unless all of it is.
    /// </summary>
    Task SaveMergeAsync(StoredProfile survivor, StoredProfile absorbed, StoredMerge merge, CancellationToken ct = default);

    Task<StoredMerge?> LoadMergeAsync(string mergeId, CancellationToken ct = default);

    /// <summary>Every merge record in which one of <paramref name="ids"/> survived or was absorbed, oldest first.</summary>
    Task<IReadOnlyList<StoredMerge>> LoadMergesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default);

    /// <summary>
    /// One transaction: deletes the profiles of <paramref name="ids"/> and every merge record naming one of them,
    /// and quarantines the ids (by hash) until <paramref name="quarantineUntil"/>. Expired quarantine entries go too.
    /// </summary>
    Task EraseAsync(IReadOnlyCollection<string> ids, DateTimeOffset quarantineUntil, CancellationToken ct = default);

    /// <summary>The ids among <paramref name="ids"/> quarantined after <paramref name="now"/>, with the end of their quarantine.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> LoadQuarantineAsync(IReadOnlyCollection<string> ids, DateTimeOffset now, CancellationToken ct = default);
}
