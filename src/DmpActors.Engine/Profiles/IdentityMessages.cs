using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

// The merge protocol between two user entities (docs/identity.md). The survivor locks the other entity, computes
// the merge, writes both rows and the merge record in one store transaction, then commits or releases the lock.

/// <summary>Survivor → other entity: stop applying events and send your state. Answered with
/// <see cref="EntityLocked"/> or <see cref="LockRefused"/>.</summary>
public sealed record LockForMerge(string UserId, string LockId, string SurvivorId) : IUserCommand;

/// <summary>The locked entity's state as it is in memory (persisted formats) and its version.</summary>
public sealed record EntityLocked(string LockId, string UserId, byte[] Profile, byte[]? Identity, long Version) : IWireMessage;

public sealed record LockRefused(string LockId, MergeRefusalReason Reason) : IWireMessage;

/// <summary>The transaction committed: the locked entity takes this state (already durable at this version).</summary>
public sealed record CommitLock(string UserId, string LockId, byte[] Profile, byte[]? Identity, long Version) : IUserCommand;

/// <summary>Nothing was committed. With <see cref="Reload"/> the outcome is unknown and the entity reloads from the store.</summary>
public sealed record ReleaseLock(string UserId, string LockId, bool Reload) : IUserCommand;

/// <summary>Erase the user and every id merged into it; answered with <see cref="UserErased"/>.</summary>
public sealed record EraseUser(string UserId) : IUserCommand;

/// <param name="ErasedIds">Number of ids erased (the user's own and the merged ones); 0 when the user was unknown.</param>
public sealed record UserErased(string UserId, int ErasedIds, DateTimeOffset? QuarantinedUntil) : IWireMessage;

/// <summary>Survivor → an id it erased with itself: forget everything and refuse events until the quarantine ends.</summary>
public sealed record EnterQuarantine(string UserId, DateTimeOffset Until) : IUserCommand;

/// <summary>Undo the merge that folded <see cref="OtherId"/> into this user; answered with <see cref="UnmergeResult"/>.</summary>
public sealed record UnmergeUser(string UserId, string OtherId) : IUserCommand;

/// <param name="Error">Why nothing was undone; null on success.</param>
public sealed record UnmergeResult(string UserId, string OtherId, string? MergeId, string? Error) : IWireMessage;

/// <summary>Who the user is: the profile and identity of the entity that holds the user's data (a merged id answers
/// with its survivor's). Answered with <see cref="IdentityReply"/>.</summary>
public sealed record GetIdentity(string UserId) : IUserCommand;

/// <param name="Profile">Null when the user has never been seen or is erased.</param>
public sealed record IdentityReply(string UserId, UserProfile? Profile, IdentityState Identity, DateTimeOffset? QuarantinedUntil) : IWireMessage;
