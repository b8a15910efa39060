using Akka.Actor;
using DmpActors.Engine.Models;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using DmpActors.Ml.Training;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DmpActors.Host.Api;

/// <summary>
/// /v1/models (docs/models.md#http-api): every model with its versions, metrics, active and shadow version and
/// cluster-wide shadow disagreement; retraining on demand; promotion and rollback. Answered by the coordinator
/// singleton from any node, so a read after a command sees it.
/// </summary>
public static class ModelsEndpoints
{
    /// <summary>How long a retrain waits for its run by default; past it the answer is 202 and the run goes on.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(2);

    public sealed record RetrainStarted(long Run, IReadOnlyList<string> Models, bool Shadow, int Samples, int LabelledRows, string Message);

    public sealed record CommandView(string Message, ModelViews.ModelView Model);

    public static RouteGroupBuilder MapModels(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("Models");
        group.MapGet("/", List).RequireRole(ApiRole.Read).ProducesProblem(503)
            .WithSummary("Every model: versions with metrics, the active and the shadow version, shadow disagreement, the training run");
        group.MapGet("/{name}", Get).RequireRole(ApiRole.Read).ProducesProblem(404).ProducesProblem(503)
            .WithSummary("One model's versions, metrics and shadow disagreement");
        group.MapPost("/{name}/retrain", Retrain).RequireRole(ApiRole.Admin)
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(422).ProducesProblem(503)
            .WithSummary("Train the model now (?shadow=true beside the active version); answers with the new version when the run ends, " +
                         "or at once with ?wait=false (202)");
        group.MapPost("/{name}/promote/{version}", PromoteVersion).RequireRole(ApiRole.Admin)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(503)
            .WithSummary("Make a version the active one (a shadow after review, or a retired one back)");
        group.MapPost("/{name}/rollback", Rollback).RequireRole(ApiRole.Admin)
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(503)
            .WithSummary("Make the newest retired version older than the active one active again");
        return group;
    }

    private static IModels Models(DmpRuntime runtime) => runtime.Engine.Models.Client;

    private static async Task<Results<Ok<ModelViews.ListView>, ProblemHttpResult>> List(DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(ModelViews.List(await Models(runtime).DescribeAsync(ct)));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<ModelViews.ModelView>, ProblemHttpResult>> Get(string name, DmpRuntime runtime, CancellationToken ct)
    {
        if (Unknown(name) is { } unknown) return unknown;
        try
        {
            return TypedResults.Ok(ModelViews.Model(await Models(runtime).DescribeAsync(ct), name));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<ModelViews.OutcomeView>, Accepted<RetrainStarted>, ProblemHttpResult>> Retrain(string name,
        DmpRuntime runtime, [FromQuery] bool? shadow, [FromQuery] bool? wait, CancellationToken ct)
    {
        if (Unknown(name) is { } unknown) return unknown;
        var location = $"/v1/models/{name}";
        try
        {
            switch (await Models(runtime).RetrainAsync([name], shadow ?? false, wait == false ? null : DefaultWait, ct))
            {
                case RetrainAccepted { Started: false } refused:
                    return TypedResults.Problem(statusCode: 409, title: "Training not started", detail: refused.Message);
                case RetrainAccepted started:
                    return TypedResults.Accepted(location,
                        new RetrainStarted(started.Run, started.Names, shadow ?? false, started.Samples, started.LabelledRows, started.Message));
                case TrainingOutcome { Error: { } error }:
                    return TypedResults.Problem(statusCode: 500, title: "Training failed", detail: error);
                case TrainingOutcome { Versions.Count: 0 } skipped:
                    return TypedResults.Problem(statusCode: 422, title: "Not enough data to train",
                        detail: string.Join("; ", skipped.Skipped), extensions: new Dictionary<string, object?>
                        {
                            ["samples"] = skipped.Samples, ["labelled_rows"] = skipped.LabelledRows, ["skipped"] = skipped.Skipped,
                        });
                case TrainingOutcome outcome:
                    return TypedResults.Ok(ModelViews.Outcome(outcome));
                default:
                    return TypedResults.Accepted(location, new RetrainStarted(0, [name], shadow ?? false, 0, 0,
                        $"training still runs after {DefaultWait.TotalSeconds:0} s; GET {location} shows when its version is added"));
            }
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> PromoteVersion(string name, string version, DmpRuntime runtime,
        CancellationToken ct)
    {
        if (Unknown(name) is { } unknown) return unknown;
        if (!int.TryParse(version.TrimStart('v'), out var number) || number < 1)
            return TypedResults.Problem(statusCode: 400, title: "Invalid model version", detail: $"a version is a number from 1 (or v1), got '{version}'");
        return await Promote(name, number, runtime, ct);
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Promote(string name, int version, DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var known = await Models(runtime).DescribeAsync(ct);
            if (!known.Catalogue.Versions.Any(v => v.Name == name && v.Version == version))
                return TypedResults.Problem(statusCode: 404, title: "Unknown model version", detail: $"{name} has no version {version}");
            return await Answer(runtime, name, await Models(runtime).PromoteAsync(name, version, ct), ct);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Rollback(string name, DmpRuntime runtime, CancellationToken ct)
    {
        if (Unknown(name) is { } unknown) return unknown;
        try
        {
            return await Answer(runtime, name, await Models(runtime).RollbackAsync(name, ct), ct);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Answer(DmpRuntime runtime, string name, ModelCommandResult result,
        CancellationToken ct) => result.Ok
        ? TypedResults.Ok(new CommandView(result.Message, ModelViews.Model(await Models(runtime).DescribeAsync(ct), name)))
        : TypedResults.Problem(statusCode: 409, title: "Model command refused", detail: result.Message);

    private static ProblemHttpResult? Unknown(string name) => ModelNames.All.Contains(name)
        ? null
        : TypedResults.Problem(statusCode: 404, title: "Unknown model", detail: $"no model '{name}'; known: {string.Join(", ", ModelNames.All)}");

    private static ProblemHttpResult Unavailable() => TypedResults.Problem(statusCode: 503, title: "Model coordinator unavailable",
        detail: "the model coordinator did not answer in time (it may be moving to another node); try again");
}
