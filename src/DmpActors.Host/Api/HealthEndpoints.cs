using System.Reflection;
using DmpActors.Engine.Admin;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>/healthz (the process answers), /readyz (cluster, broker, store, ingest) and /v1/info.</summary>
public static class HealthEndpoints
{
    public sealed record HealthView(string Status);

    public sealed record ReadinessView(string Status, IReadOnlyList<ReadinessCheck> Checks);

    public sealed record InfoView(string Version, string Mode, string KafkaBootstrap, string? NodeAddress, string? Store,
        long? LogGeneration, Engine.Ingest.IngestStatus? Ingest, IReadOnlyList<MemberSummary>? Members, LocalUsersView? LocalUsers,
        int? IsolatedProfiles, ProfileClockView? ProfileClock);

    /// <summary>What "now" is for profile values (Dmp:Profiles:Clock) and what it reads.</summary>
    public sealed record ProfileClockView(string Mode, DateTimeOffset Now);

    /// <summary>User shards and live user entities hosted by this node.</summary>
    public sealed record LocalUsersView(int Shards, int Entities);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var operations = app.MapGroup("").WithTags("Operations");
        operations.MapGet("/healthz", () => TypedResults.Ok(new HealthView("ok"))).RequireRole(ApiRole.Anyone);
        operations.MapGet("/readyz", Readiness).RequireRole(ApiRole.Anyone);
        operations.MapGet("/v1/info", Info).RequireRole(ApiRole.Read);
        return operations;
    }

    private static async Task<Results<Ok<ReadinessView>, JsonHttpResult<ReadinessView>>> Readiness(DmpRuntime runtime, CancellationToken ct)
    {
        var checks = await runtime.CheckReadinessAsync(ct);
        return checks.All(c => c.Ok)
            ? TypedResults.Ok(new ReadinessView("ready", checks))
            : TypedResults.Json(new ReadinessView("not_ready", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Ok<InfoView>> Info(DmpRuntime runtime)
    {
        var engine = runtime.Started ? runtime.Engine : null;
        LocalUsersView? local = null;
        if (engine is not null)
        {
            try
            {
                var (shards, entities) = await engine.LocalUsersAsync(TimeSpan.FromSeconds(2));
                local = new LocalUsersView(shards, entities);
            }
            catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException) { }
        }
        return TypedResults.Ok(new InfoView(
            typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            runtime.Options.Kafka.Embedded ? "embedded" : "external-kafka",
            runtime.BootstrapServers,
            engine?.NodeAddress,
            engine?.Store.Description,
            engine?.LogGeneration,
            engine?.Ingest?.Status,
            engine is null ? null : new ClusterAdmin(engine.System).Summary(),
            local,
            engine?.Isolated.Count,
            engine is null ? null : new ProfileClockView(runtime.Options.Profiles.Clock.ToLowerInvariant(), runtime.ProfileClock.GetUtcNow())));
    }
}
