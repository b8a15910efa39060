namespace DmpActors.Traffic;

/// <summary>
/// One synthetic event. <see cref="Key"/> is the routing key the platform sees (user_id, else
/// anonymous_id; empty when the event deliberately carries neither). <see cref="EntityId"/> is the
/// ground-truth person behind the event, stable across the anonymous and identified phases.
/// <see cref="Type"/> is the contract type, or <c>invalid.*</c> for deliberately bad events.
/// </summary>
public sealed record GeneratedEvent(string Key, byte[] Json, string EntityId, string Type)
{
    public const string InvalidPrefix = "invalid.";
    public const string MalformedJson = InvalidPrefix + "malformed_json";
    public const string UnknownType = InvalidPrefix + "unknown_type";
    public const string MissingIds = InvalidPrefix + "missing_ids";

    public bool IsDeliberatelyInvalid => Type.StartsWith(InvalidPrefix, StringComparison.Ordinal);
}
