using System.Reflection;
using DmpActors.Host.Runtime;

namespace DmpActors.Host.Api;

/// <summary>/healthz (the process answers), /readyz (cluster, broker, store, ingest) and /v1/info.</summary>
public static class HealthEndpoints
{
    public sealed record InfoView(string Version, string Mode, string KafkaBootstrap, string? NodeAddress, string? Store,
        long? LogGeneration, Engine.Ingest.IngestStatus? Ingest);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).WithTags("Operations");
        app.MapGet("/readyz", async (DmpRuntime runtime, CancellationToken ct) =>
        {
            var checks = await runtime.CheckReadinessAsync(ct);
            var ready = checks.All(c => c.Ok);
            return Results.Json(new { status = ready ? "ready" : "not_ready", checks }, statusCode: ready ? 200 : 503);
        }).WithTags("Operations");
        app.MapGet("/v1/info", (DmpRuntime runtime) =>
        {
            var engine = runtime.Started ? runtime.Engine : null;
            return Results.Json(new InfoView(
                typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                runtime.Options.Kafka.Embedded ? "embedded" : "external-kafka",
                runtime.BootstrapServers,
                engine?.NodeAddress,
                engine?.Store.Description,
                engine?.LogGeneration,
                engine?.Ingest?.Status));
        }).WithTags("Operations");
    }
}
