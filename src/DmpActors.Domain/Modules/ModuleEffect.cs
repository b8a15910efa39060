namespace DmpActors.Domain.Modules;

/// <summary>
/// Something a module needs done outside the profile, as data: the user entity carries it out after the event is
/// applied (and before the next one). A module never performs an effect itself.
/// </summary>
public abstract record ModuleEffect;

/// <summary>The event arrived with the profile's own id as <c>user_id</c>: the identity remembers it as a known user
/// id (the merge rules count those).</summary>
public sealed record UserIdSeen : ModuleEffect
{
    public static readonly UserIdSeen Instance = new();

    private UserIdSeen() { }
}

/// <summary>An identify or alias asks to fold <see cref="OtherId"/> into this profile (docs/identity.md). The entity
/// decides with the identity rules whether and how (<see cref="Identity.MergeProtocol"/>).</summary>
public sealed record RequestMerge(string OtherId, string TriggerEventId) : ModuleEffect;

/// <summary>Module <see cref="Module"/> wants to be called back (<see cref="ITimerModule.OnTimer"/>) at
/// <see cref="DueAt"/> about <see cref="Key"/>, or no more when null; it replaces that module's earlier timer of the
/// key. The entity keeps it in the profile's timers, which the store indexes by due time with the checkpoint.</summary>
public sealed record ScheduleTimer(string Module, string Key, DateTimeOffset? DueAt) : ModuleEffect;
