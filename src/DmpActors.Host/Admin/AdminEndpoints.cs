using System.Text.Json;
using DmpActors.Engine.Admin;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DmpActors.Host.Admin;

/// <summary>
/// /admin/v1: cluster membership, sharding and actor queries for dmpctl's pbm-style palettes.
/// Every route requires a key with the admin role (docs/security.md).
/// </summary>
public static class AdminEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public sealed record AddressRequest(string? Address);

    public sealed record RegionsView(IReadOnlyList<string> Regions);

    public sealed record DownedView(IReadOnlyList<MemberView> Downed);

    public sealed record IsolatedView(IReadOnlyList<IsolatedProfileView> Profiles);

    /// <param name="UserRef">The redacted id the logs use for this user.</param>
    public sealed record IsolatedProfileView(string UserId, string UserRef, string Kind, string Reason, DateTimeOffset Since);

    public static IServiceCollection AddDmpAdmin(this IServiceCollection services) => services
        .AddSingleton(sp => AdminKey.Resolve(sp.GetRequiredService<DmpOptions>()))
        .AddHostedService<AdminKeyCheck>();

    public static RouteGroupBuilder MapAdmin(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/admin"), admin => admin.Use(RequireEngine));
        var admin = app.MapGroup("/admin/v1").WithTags("Admin").RequireRole(ApiRole.Admin);
        admin.MapGet("/cluster", (DmpRuntime runtime) => TypedResults.Ok(runtime.Cluster().Show()))
            .WithSummary("Members as this node sees them, with the leader");
        admin.MapPost("/cluster/leave", (AddressRequest request, DmpRuntime runtime) => OnMember(request, runtime.Cluster().Leave))
            .WithSummary("Ask a member (full address or host:port) to leave gracefully");
        admin.MapPost("/cluster/down", (AddressRequest request, DmpRuntime runtime) => OnMember(request, runtime.Cluster().Down))
            .WithSummary("Mark a member down");
        admin.MapPost("/cluster/down-unreachable", (DmpRuntime runtime) => TypedResults.Ok(new DownedView(runtime.Cluster().DownUnreachable())))
            .WithSummary("Down every member this node sees as unreachable");
        admin.MapGet("/cluster/events", StreamMembership)
            .WithSummary("Server-sent events: current members, then every membership change");
        admin.MapGet("/sharding/regions", (DmpRuntime runtime) => TypedResults.Ok(new RegionsView(runtime.Cluster().Regions())))
            .WithSummary("Entity types with a shard region on this node");
        admin.MapGet("/sharding/regions/{type}/stats", LocalShards)
            .WithSummary("This node's shards of an entity type and their entity counts");
        admin.MapGet("/sharding/regions/{type}/shards", ClusterShards)
            .WithSummary("Every node's shards of an entity type and their entity counts");
        admin.MapGet("/profiles/isolated", (DmpRuntime runtime) => TypedResults.Ok(new IsolatedView(runtime.Engine.Isolated.List()
                .Select(p => new IsolatedProfileView(p.UserId, p.UserRef, IsolatedProfiles.KindCode(p.Kind), p.Reason, p.Since)).ToList())))
            .WithSummary("Profiles this node isolated (cannot be decoded or written), by redacted id, with the reason");
        admin.MapGet("/actors", (DmpRuntime runtime, string? path, int? depth) => Hierarchy(runtime.Cluster(), path ?? "/user", depth ?? 2))
            .WithSummary("Actor paths under a path, to a depth");
        return admin;
    }

    private static async Task RequireEngine(HttpContext http, RequestDelegate next)
    {
        if (!http.RequestServices.GetRequiredService<DmpRuntime>().Started)
            await TypedResults.Problem(statusCode: 503, title: "Engine not running", detail: "the node is starting or stopping").ExecuteAsync(http);
        else
            await next(http);
    }

    private static ClusterAdmin Cluster(this DmpRuntime runtime) => new(runtime.Engine.System);

    private static Results<Ok<MemberView>, ProblemHttpResult> OnMember(AddressRequest request, Func<string, MemberView?> action)
    {
        if (string.IsNullOrWhiteSpace(request.Address))
            return TypedResults.Problem(statusCode: 400, title: "Address required", detail: "give a member's address, e.g. akka.tcp://dmp@127.0.0.1:4053 or 127.0.0.1:4053");
        return action(request.Address.Trim()) is { } member
            ? TypedResults.Ok(member)
            : TypedResults.Problem(statusCode: 404, title: "Unknown member", detail: $"no member of this cluster has the address '{request.Address}'");
    }

    private static async Task<Results<Ok<RegionStats>, ProblemHttpResult>> LocalShards(string type, DmpRuntime runtime, CancellationToken ct) =>
        await runtime.Cluster().RegionStatsAsync(type, AskTimeout, ct) is { } stats ? TypedResults.Ok(stats) : UnknownType(type, runtime.Cluster());

    private static async Task<Results<Ok<IReadOnlyList<RegionStats>>, ProblemHttpResult>> ClusterShards(string type, DmpRuntime runtime, CancellationToken ct) =>
        await runtime.Cluster().ShardStatsAsync(type, AskTimeout, ct) is { } stats ? TypedResults.Ok(stats) : UnknownType(type, runtime.Cluster());

    private static ProblemHttpResult UnknownType(string type, ClusterAdmin cluster) =>
        TypedResults.Problem(statusCode: 404, title: "Unknown entity type",
            detail: $"no shard region '{type}' on this node; regions: {string.Join(", ", cluster.Regions())}");

    private static Results<Ok<ActorHierarchy>, ProblemHttpResult> Hierarchy(ClusterAdmin cluster, string path, int depth)
    {
        if (depth is < 1 or > 10)
            return TypedResults.Problem(statusCode: 400, title: "Invalid depth", detail: $"depth must be 1..10, got {depth}");
        return cluster.Hierarchy(path, depth) is { } hierarchy
            ? TypedResults.Ok(hierarchy)
            : TypedResults.Problem(statusCode: 404, title: "No such actor", detail: $"no actor lives at '{path}' on this node");
    }

    /// <summary>One "data: {json}" line per change; flushed each time so `dmpctl cluster tail` prints as it happens.</summary>
    private static async Task StreamMembership(HttpContext http, DmpRuntime runtime, IOptions<JsonOptions> json, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.Body.FlushAsync(ct);
        try
        {
            await foreach (var change in runtime.Cluster().TailAsync(ct))
            {
                await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(change, json.Value.SerializerOptions)}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away (Ctrl-C in dmpctl): nothing to report.
        }
    }
}
