using DmpActors.Engine.Segments;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>GET /v1/segments/backfill: where the cluster's segment backfill stands (docs/segments.md#backfill),
/// answered by the singleton from any node.</summary>
public static class SegmentBackfillEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static RouteGroupBuilder MapSegmentBackfill(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapGet("/backfill", GetProgress)
            .WithSummary("Progress of the walk that applies the current segment set to every stored user (done/total, rate, started)")
            .ProducesProblem(503)
            .RequireRole(ApiRole.Read);
        return group;
    }

    private static async Task<Results<Ok<BackfillProgress>, ProblemHttpResult>> GetProgress(DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await runtime.Engine.GetBackfillProgressAsync(AskTimeout, ct));
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            return TypedResults.Problem(statusCode: 503, title: "Backfill unreachable",
                detail: "the backfill singleton did not answer (it may be moving to another node); try again");
        }
    }
}
