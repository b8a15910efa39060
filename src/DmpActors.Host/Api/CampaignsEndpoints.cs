using System.Text.Json;
using Akka.Actor;
using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Campaigns;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>
/// Campaign definitions (docs/campaigns.md): define or change one (a new version), pause, resume, list, read one with its
/// version history, delete. A definition with problems is refused with every field named.
/// </summary>
public static class CampaignsEndpoints
{
    public const int MaxBodyBytes = 256 * 1024;

    public sealed record CampaignView(string Id, int Version, DateTimeOffset DefinedAt, JsonElement Definition)
    {
        public static CampaignView From(CampaignVersion v)
        {
            using var json = JsonDocument.Parse(v.Definition);
            return new CampaignView(v.CampaignId, v.Version, v.DefinedAt, json.RootElement.Clone());
        }
    }

    public sealed record VersionView(int Version, DateTimeOffset DefinedAt, bool Deleted);

    /// <param name="Outcome">created, updated or unchanged.</param>
    public sealed record PutView(string Outcome, CampaignView Campaign);

    public sealed record ListView(long Revision, IReadOnlyList<CampaignView> Campaigns);

    public sealed record DetailView(string Id, int Version, DateTimeOffset DefinedAt, JsonElement Definition, IReadOnlyList<VersionView> History);

    public sealed record DeletedView(string Id, int Version, DateTimeOffset DeletedAt);

    /// <param name="Share">The variant's share of the campaign's offers.</param>
    public sealed record VariantStatsView(string Id, long Offers, double Share);

    /// <param name="BudgetLeft">Offers the budget still allows; null for no budget.</param>
    public sealed record StatsView(string Id, long Offers, long? Budget, long? BudgetLeft, IReadOnlyList<VariantStatsView> Variants);

    public static RouteGroupBuilder MapCampaigns(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/campaigns").WithTags("Campaigns");
        group.MapGet("/", List).WithSummary("Every live campaign, at the catalogue's revision").RequireRole(ApiRole.Read);
        group.MapGet("/{campaignId}", Get).WithSummary("A campaign's current definition and its version history").RequireRole(ApiRole.Read);
        group.MapPut("/{campaignId}", Put).Accepts<JsonElement>("application/json")
            .WithSummary("Define a campaign: 201 when created, 200 with a new version or unchanged, 400 naming each bad field")
            .RequireRole(ApiRole.Admin);
        group.MapPost("/{campaignId}/pause", (string campaignId, DmpRuntime runtime, CancellationToken ct) => Pause(campaignId, true, runtime, ct))
            .WithSummary("Pause a campaign (a new version): it decides nothing until resumed").RequireRole(ApiRole.Admin);
        group.MapPost("/{campaignId}/resume", (string campaignId, DmpRuntime runtime, CancellationToken ct) => Pause(campaignId, false, runtime, ct))
            .WithSummary("Resume a paused campaign (a new version)").RequireRole(ApiRole.Admin);
        group.MapGet("/{campaignId}/stats", Stats).WithSummary("Offers sent in all and per variant, and the budget left").RequireRole(ApiRole.Read);
        group.MapDelete("/{campaignId}", Delete).WithSummary("Delete a campaign: a tombstone version ends its history").RequireRole(ApiRole.Admin);
        return group;
    }

    private static ICampaignCatalogue Catalogue(DmpRuntime runtime) => runtime.Engine.Campaigns;

    private static async Task<Results<Ok<ListView>, ProblemHttpResult>> List(DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var current = await Catalogue(runtime).ListAsync(ct);
            return TypedResults.Ok(new ListView(current.Revision, current.Campaigns.Select(CampaignView.From).ToList()));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<DetailView>, ProblemHttpResult>> Get(string campaignId, DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var history = await Catalogue(runtime).HistoryAsync(campaignId, ct);
            if (history.Count == 0 || history[^1].Deleted) return Unknown(campaignId, history);
            var view = CampaignView.From(history[^1]);
            return TypedResults.Ok(new DetailView(view.Id, view.Version, view.DefinedAt, view.Definition,
                history.Select(v => new VersionView(v.Version, v.DefinedAt, v.Deleted)).ToList()));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Created<PutView>, Ok<PutView>, ValidationProblem, ProblemHttpResult>> Put(string campaignId,
        HttpRequest request, DmpRuntime runtime, CancellationToken ct)
    {
        if (!CampaignValidation.IsIdentifier(campaignId)) return Invalid([new FieldError("id", "1–64 characters of letters, digits, '-', '_' or '.'")]);
        if (request.ContentLength > MaxBodyBytes) return Invalid([new FieldError("body", $"at most {MaxBodyBytes / 1024} KB")]);
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(ct);
        if (body.Length > MaxBodyBytes) return Invalid([new FieldError("body", $"at most {MaxBodyBytes / 1024} KB")]);
        var (_, errors) = CampaignJson.Read(campaignId, body);
        if (errors.Count > 0) return Invalid(errors);
        try
        {
            var changed = await Catalogue(runtime).PutAsync(campaignId, body, ct);
            var view = new PutView(changed.Outcome, CampaignView.From(changed.Current!));
            return changed.Outcome == "created" ? TypedResults.Created($"/v1/campaigns/{campaignId}", view) : TypedResults.Ok(view);
        }
        catch (CampaignRefusedException e)
        {
            return Invalid(e.Errors);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<PutView>, ProblemHttpResult>> Pause(string campaignId, bool paused, DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var changed = await Catalogue(runtime).PauseAsync(campaignId, paused, ct);
            return TypedResults.Ok(new PutView(changed.Outcome, CampaignView.From(changed.Current!)));
        }
        catch (CampaignRefusedException)
        {
            return Unknown(campaignId, []);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<DeletedView>, ProblemHttpResult>> Delete(string campaignId, DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            return await Catalogue(runtime).DeleteAsync(campaignId, ct) is { } tombstone
                ? TypedResults.Ok(new DeletedView(campaignId, tombstone.Version, tombstone.DefinedAt))
                : Unknown(campaignId, []);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    /// <summary>400 with <c>errors</c> keyed by field, and all of them in <c>detail</c> for clients that show only that.</summary>
    private static async Task<Results<Ok<StatsView>, ProblemHttpResult>> Stats(string campaignId, DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var history = await Catalogue(runtime).HistoryAsync(campaignId, ct);
            if (history.Count == 0) return Unknown(campaignId, history);
            var stats = await runtime.Engine.Offers.StatsAsync(campaignId, ct);
            var variants = history[^1].Deleted ? [] : history[^1].Parse().Variants.Select(v => v.Id).ToList();
            var views = variants.Union(stats.Variants.Select(v => v.VariantId)).Select(id =>
            {
                var offers = stats.Variants.FirstOrDefault(v => v.VariantId == id)?.Offers ?? 0;
                return new VariantStatsView(id, offers, stats.Offers == 0 ? 0 : offers / (double)stats.Offers);
            }).ToList();
            // The budget as the catalogue has it now (the campaign's node may not have the latest version yet).
            var budget = history[^1].Deleted ? stats.Budget : history[^1].Parse().Budget;
            return TypedResults.Ok(new StatsView(campaignId, stats.Offers, budget, budget - stats.Offers, views));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static ValidationProblem Invalid(IReadOnlyList<FieldError> errors) => TypedResults.ValidationProblem(
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        detail: string.Join("; ", errors), title: "Invalid campaign definition");

    private static ProblemHttpResult Unknown(string id, IReadOnlyList<CampaignVersion> history) => TypedResults.Problem(statusCode: 404,
        title: "Unknown campaign",
        detail: history.Count == 0 ? $"campaign '{id}' is not defined" : $"campaign '{id}' was deleted (version {history[^1].Version})");

    private static ProblemHttpResult Unavailable() => TypedResults.Problem(statusCode: 503, title: "Campaign catalogue unavailable",
        detail: "the campaign catalogue did not answer in time (its node may be moving or its database unreachable); try again");
}
