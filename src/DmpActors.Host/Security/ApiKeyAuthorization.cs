using System.Globalization;
using System.Threading.RateLimiting;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Observability;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

namespace DmpActors.Host.Security;

/// <summary>The key a request was authorised with (absent for open routes and open mode without a key).</summary>
public sealed record ApiCaller(ApiKey Key);

/// <summary>
/// Checks every request's key against the role its route declares (<see cref="RequiredRole"/>), before the body is
/// read; then the collector's per-key rate limit. A route that declares no role is refused: it must say who may call it.
/// </summary>
public static class ApiKeyAuthorization
{
    public const string KeyHeader = "X-Api-Key";
    /// <summary>The header older dmpctl versions send; still accepted.</summary>
    public const string LegacyAdminHeader = "X-Dmp-Admin-Key";
    public const string CollectorPolicy = "collector";

    public static IServiceCollection AddDmpSecurity(this IServiceCollection services) => services
        .AddSingleton<ApiKeyRing>()
        .AddSingleton(sp => new UserEventLimiter(sp.GetRequiredService<DmpOptions>().Security.RateLimits, sp.GetRequiredService<TimeProvider>()))
        .AddHostedService<SecurityCheck>()
        .AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(CollectorPolicy, PartitionByKey);
            limiter.OnRejected = (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                DmpMetrics.CollectorRequestsLimited.Add(1, new KeyValuePair<string, object?>("key", context.HttpContext.Features.Get<ApiCaller>()?.Key.Name ?? "(none)"));
                return new ValueTask(TooManyRequests(context.HttpContext, retryAfter, "this key sent more requests per second than its limit (Dmp:Security:RateLimits)").ExecuteAsync(context.HttpContext));
            };
        });

    /// <summary>Authorisation, then rate limits; call before mapping the routes.</summary>
    public static void UseDmpSecurity(this WebApplication app)
    {
        app.Use(Authorize);
        app.UseRateLimiter();
    }

    /// <summary>429 with Retry-After in whole seconds (at least 1).</summary>
    public static ProblemHttpResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Rate limited", detail: detail);
    }

    private static async Task Authorize(HttpContext http, RequestDelegate next)
    {
        var endpoint = http.GetEndpoint();
        // Unknown paths under /admin get the admin check too, so a caller without a key learns nothing about them.
        var needed = endpoint?.Metadata.GetMetadata<RequiredRole>()?.Role
            ?? (http.Request.Path.StartsWithSegments("/admin") ? ApiRole.Admin : endpoint is null ? ApiRole.Anyone : null);
        if (needed is not { } role)
        {
            await Results.Problem(statusCode: 403, title: "Route declares no role", detail: $"{http.Request.Method} {http.Request.Path} is refused until it declares the role it needs").ExecuteAsync(http);
            return;
        }
        var ring = http.RequestServices.GetRequiredService<ApiKeyRing>();
        var presented = PresentedKey(http.Request);
        var key = presented is null ? null : ring.Find(presented);
        if (key is not null) http.Features.Set(new ApiCaller(key));
        // Open mode opens /v1 (erasure included: it is for a node on localhost); the admin API keeps its key.
        if (role == ApiRole.Anyone || (!ring.RequiresKeys && !http.Request.Path.StartsWithSegments("/admin")))
        {
            await next(http);
            return;
        }
        if (presented is null)
            await Refuse(http, 401, "API key required", role,
                $"this route needs a key with the {role.Wire()} role: send it as Authorization: Bearer <key> or in the {KeyHeader} header (dmpctl: --api-key or DMP_API_KEY)");
        else if (key is null)
            await Refuse(http, 401, "Unknown API key", role,
                "the key matches none this node accepts (Dmp:Security:Keys, Dmp:Security:KeysFile, Dmp:Admin:ApiKey)");
        else if (!key.Roles.Grants(role))
            await Refuse(http, 403, "Role required", role,
                $"{http.Request.Method} {http.Request.Path} needs the {role.Wire()} role; key '{key.Name}' has {string.Join(", ", key.Roles.Select(r => r.Wire()).Order())}");
        else
            await next(http);
    }

    private static Task Refuse(HttpContext http, int status, string title, ApiRole role, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["required_role"] = role.Wire() }).ExecuteAsync(http);

    /// <summary>Authorization: Bearer, else X-Api-Key, else the older X-Dmp-Admin-Key.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return auth["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        var header = request.Headers[KeyHeader].FirstOrDefault() ?? request.Headers[LegacyAdminHeader].FirstOrDefault();
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }

    /// <summary>
    /// One token bucket per key holding a second's worth of requests; without a key, one per client address. The
    /// limit is part of the partition, so a key whose limit is changed in a rotation starts a bucket at the new rate.
    /// </summary>
    private static RateLimitPartition<string> PartitionByKey(HttpContext http)
    {
        var key = http.Features.Get<ApiCaller>()?.Key;
        var perSecond = key?.RequestsPerSecond ?? http.RequestServices.GetRequiredService<DmpOptions>().Security.RateLimits.RequestsPerSecond;
        var partition = key is null ? "address:" + http.Connection.RemoteIpAddress : "key:" + key.Name;
        return RateLimitPartition.GetTokenBucketLimiter($"{partition}@{perSecond}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}

/// <summary>Builds the key ring while the host starts, so a bad keys file stops the node naming the option.</summary>
internal sealed class SecurityCheck(ApiKeyRing ring, ILogger<SecurityCheck> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        if (ring.RequiresKeys)
            log.LogInformation("API keys required on /v1: {Count} keys configured{File}", ring.Count, ring.KeysFile is null ? "" : $", watching {ring.KeysFile}");
        else
            log.LogInformation("Open mode: /v1 answers without an API key; /admin needs an admin key");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
