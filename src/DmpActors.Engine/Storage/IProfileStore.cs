namespace DmpActors.Engine.Storage;

/// <summary>
/// A serialized profile as the store keeps it; <see cref="Version"/> only ever grows per id.
/// <see cref="Identity"/> is the identity state kept beside it (merged ids, tombstone), null when there is none.
/// </summary>
public sealed record StoredProfile(string Id, byte[] State, long Version, byte[]? Identity = null)
{
    /// <summary>The version the writer believes is stored now (0: no row yet). When set, the row is written only if the
    /// stored version is exactly this one; when null, only if <see cref="Version"/> is at least the stored one.</summary>
    public long? BaseVersion { get; init; }

    /// <summary>The ids of the segments the profile is a member of as of this version (shadow segments included), for
    /// the store's member index; null when the writer does not know them, and the index is left as it is.</summary>
    public IReadOnlyList<string>? Segments { get; init; }

    /// <summary>The profile's timers as of this version, for the store's due-time index (<see cref="IProfileStore.LoadDueTimersAsync"/>);
    /// null when they did not change since the last write, and the index is left as it is.</summary>
    public IReadOnlyList<Domain.Modules.UserTimer>? Timers { get; init; }
}

/// <summary>A timer in the store's due-time index: user <see cref="UserId"/>'s module <see cref="Module"/> wants to run
/// at <see cref="DueAt"/> about <see cref="Key"/>.</summary>
public sealed record DueTimer(string UserId, string Module, string Key, DateTimeOffset DueAt);

/// <summary>
/// What a batch save did. Every row of the batch not named here was written, or skipped because its id is in
/// quarantine. <see cref="Stale"/> names the id of each row not written because its version check failed (another
/// write got there first), once per such row; <see cref="Rejected"/> the rows the database cannot hold (e.g. a NUL in
/// an id), which would fail every retry. Neither says which of an id's rows in the batch it was.
/// </summary>
public sealed record SaveResult(IReadOnlyList<string> Stale, IReadOnlyList<RejectedRow> Rejected)
{
    public static readonly SaveResult AllWritten = new([], []);
}

/// <summary>A row of a batch the database refused for its data, with the database's reason.</summary>
public sealed record RejectedRow(string Id, string Reason);

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

    /// <summary>The stored profiles of <paramref name="ids"/>; an id in quarantine has none, even if a row exists.</summary>
    Task<IReadOnlyDictionary<string, StoredProfile>> LoadAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default);

    /// <summary>
    /// Upserts the profiles in one transaction, each row fenced by its <see cref="StoredProfile.BaseVersion"/> (or,
    /// without one, by its version): rows that fail the fence are reported stale, rows the database refuses for their
    /// data are reported rejected, and the rest commit. Any other error (connection, busy, disk full) throws and
    /// writes nothing. Ids in quarantine are skipped: an erased user is never written back, even by a save that runs
    /// while the erasure does. An id may appear more than once (a checkpoint's save and a merge's re-save can meet in
    /// one batch): its rows apply in order, each fenced against what the previous one left.
    /// </summary>
    Task<SaveResult> SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default);

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

    /// <summary>
    /// One page of the member index: the ids of the stored users whose last written <see cref="StoredProfile.Segments"/>
    /// name <paramref name="segmentId"/>, in id order, after <paramref name="after"/> (null: from the first), at most
    /// <paramref name="limit"/>. The next page starts after the last id of this one (keyset paging: a page costs the
    /// same wherever it is, and rows written meanwhile neither repeat nor shift the pages after them).
    /// </summary>
    Task<IReadOnlyList<string>> LoadSegmentMembersAsync(string segmentId, string? after, int limit, CancellationToken ct = default);

    /// <summary>How many stored users the member index holds for <paramref name="segmentId"/>.</summary>
    Task<long> CountSegmentMembersAsync(string segmentId, CancellationToken ct = default);

    /// <summary>One page of the ids of every stored profile row, in id order, after <paramref name="after"/> (null:
    /// from the first), at most <paramref name="limit"/>: a walk over all stored users (the segment backfill).</summary>
    Task<IReadOnlyList<string>> ScanIdsAsync(string? after, int limit, CancellationToken ct = default);

    /// <summary>The due-time index: at most <paramref name="limit"/> timers due at <paramref name="now"/> (due time at or
    /// before it), earliest first. The index holds what the last written <see cref="StoredProfile.Timers"/> of each user
    /// named; erasure and deletion remove a user's timers.</summary>
    Task<IReadOnlyList<DueTimer>> LoadDueTimersAsync(DateTimeOffset now, int limit, CancellationToken ct = default);
}

internal static class QuarantinedProfiles
{
    /// <summary>Drops the profiles of quarantined ids from <paramref name="found"/>: such an id has no profile even if a
    /// row exists (written by a node whose clock ran past the quarantine, or restored from a backup). Only the ids
    /// found are looked up.</summary>
    public static async Task<Dictionary<string, StoredProfile>> WithoutQuarantinedAsync(this IProfileStore store,
        Dictionary<string, StoredProfile> found, TimeProvider clock, CancellationToken ct)
    {
        if (found.Count == 0) return found;
        foreach (var id in (await store.LoadQuarantineAsync(found.Keys, clock.GetUtcNow(), ct)).Keys) found.Remove(id);
        return found;
    }
}

internal static class StoredRows
{
    /// <summary>One profile row as both SQL stores select it: <c>id, state, version, identity</c>.</summary>
    public static StoredProfile ReadProfile(this System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3));
}
