using System.Reflection;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;

namespace DmpActors.Host.Api;

/// <summary>/healthz (the process answers), /readyz (cluster, broker, store, ingest) and /v1/info.</summary>
public static class HealthEndpoints
{
    public sealed record InfoView(string Version, string Mode, string KafkaBootstrap, string? NodeAddress, string? Store,
        long? LogGeneration, Engine.Ingest.IngestStatus? Ingest, IReadOnlyList<MemberView>? Members, LocalUsersView? LocalUsers,
        int? IsolatedProfiles);

    public sealed record MemberView(string Address, string Status);

    /// <summary>User shards and live user entities hosted by this node.</summary>
    public sealed record LocalUsersView(int Shards, int Entities);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).WithTags("Operations").RequireRole(ApiRole.Anyone);
        app.MapGet("/readyz", async (DmpRuntime runtime, CancellationToken ct) =>
        {
            var checks = await runtime.CheckReadinessAsync(ct);
            var ready = checks.All(c => c.Ok);
            return Results.Json(new { status = ready ? "ready" : "not_ready", checks }, statusCode: ready ? 200 : 503);
        }).WithTags("Operations").RequireRole(ApiRole.Anyone);
        app.MapGet("/v1/info", async (DmpRuntime runtime) =>
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
            return Results.Json(new InfoView(
                typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                runtime.Options.Kafka.Embedded ? "embedded" : "external-kafka",
                runtime.BootstrapServers,
                engine?.NodeAddress,
                engine?.Store.Description,
                engine?.LogGeneration,
                engine?.Ingest?.Status,
                engine?.Members().Select(m => new MemberView(m.Address, m.Status)).ToList(),
                local,
                engine?.Isolated.Count));
        }).WithTags("Operations").RequireRole(ApiRole.Read);
    }
}
