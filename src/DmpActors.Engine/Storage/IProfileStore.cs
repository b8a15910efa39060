namespace DmpActors.Engine.Storage;

/// <summary>A serialized profile as the store keeps it; <see cref="Version"/> only ever grows per id.</summary>
public sealed record StoredProfile(string Id, byte[] State, long Version);

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

    /// <summary>Upserts all profiles in one transaction: all or nothing.</summary>
    Task SaveAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken ct = default);

    Task<bool> DeleteAsync(string id, CancellationToken ct = default);

    Task<long> CountAsync(CancellationToken ct = default);

    /// <summary>Throws when the database cannot be reached.</summary>
    Task PingAsync(CancellationToken ct = default);

    /// <summary>Increments and returns a durable counter (e.g. the embedded broker's log generation).</summary>
    Task<long> NextSequenceAsync(string name, CancellationToken ct = default);

    Task<long?> ReadSequenceAsync(string name, CancellationToken ct = default);
}
