using System.Collections.Concurrent;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

/// <summary>Why a profile was isolated.</summary>
public enum IsolationKind
{
    /// <summary>The stored row cannot be decoded (corrupt, or written by a newer codec version).</summary>
    Undecodable,

    /// <summary>The store refused the row deterministically (e.g. a character the database cannot hold).</summary>
    Unwritable,
}

/// <summary>One isolated profile as operators see it. <see cref="UserRef"/> is the redacted id used in logs.</summary>
public sealed record IsolatedProfile(string UserId, string UserRef, IsolationKind Kind, string Reason, DateTimeOffset Since);

/// <summary>
/// The profiles this node's entities have isolated since it started (shown by /v1/info, /admin/v1/profiles/isolated
/// and <c>dmpctl profile isolated</c>). An isolated entity dead-letters its events and is tried again when it is
/// next started (after passivation, a restart or a hand-off), so an entry leaves when its entity stops.
/// </summary>
public sealed class IsolatedProfiles(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, IsolatedProfile> _profiles = new(StringComparer.Ordinal);

    public int Count => _profiles.Count;

    public IReadOnlyList<IsolatedProfile> List() => _profiles.Values.OrderBy(p => p.Since).ToList();

    internal void Add(string userId, IsolationKind kind, string reason)
    {
        _profiles[userId] = new IsolatedProfile(userId, LogRedaction.UserRef(userId), kind, reason, clock.GetUtcNow());
        DmpMetrics.ProfileIsolations.Add(1, new KeyValuePair<string, object?>("kind", KindCode(kind)));
    }

    internal void Remove(string userId) => _profiles.TryRemove(userId, out _);

    public static string KindCode(IsolationKind kind) => kind switch
    {
        IsolationKind.Undecodable => "undecodable",
        IsolationKind.Unwritable => "unwritable",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
