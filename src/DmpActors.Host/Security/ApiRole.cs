namespace DmpActors.Host.Security;

/// <summary>What a route needs from the caller's key. Every route declares one (a test enforces it).</summary>
public enum ApiRole
{
    /// <summary>Liveness, readiness, metrics and the OpenAPI document: no key, so probes and scrapers need no secret.</summary>
    Anyone,
    /// <summary>Sending events.</summary>
    Ingest,
    /// <summary>Reading profiles, identity and node info.</summary>
    Read,
    /// <summary>The admin API and destructive calls (erasure, unmerge); implies the others.</summary>
    Admin,
}

/// <summary>Endpoint metadata: the role the route requires.</summary>
public sealed record RequiredRole(ApiRole Role);

public static class ApiRoles
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, ApiRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(role));

    /// <summary>The wire name used in configuration and responses ("ingest", "read", "admin").</summary>
    public static string Wire(this ApiRole role) => role.ToString().ToLowerInvariant();

    public static ApiRole Parse(string wire) => Enum.Parse<ApiRole>(wire, ignoreCase: true);

    /// <summary>Whether roles held grant the one needed: admin grants everything.</summary>
    public static bool Grants(this IReadOnlySet<ApiRole> held, ApiRole needed) =>
        needed == ApiRole.Anyone || held.Contains(ApiRole.Admin) || held.Contains(needed);
}
