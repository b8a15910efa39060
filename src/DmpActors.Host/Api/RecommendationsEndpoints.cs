using DmpActors.Engine.Recommendations;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>GET /v1/recommendations/{userId}: a ranked list from the user's live profile (asked of the user's entity,
/// so a view applied a moment ago counts), with a recommendation id and each item's reason (docs/recommendations.md).</summary>
public static class RecommendationsEndpoints
{
    public sealed record RecommendedItemView(string ItemId, string? Title, string? Category, decimal? Price, double Score, string Reason,
        string? ReasonItem, string ReasonText);

    public sealed record RecommendationView(string RecommendationId, string UserId, string? Slot, DateTimeOffset GeneratedAt, bool Personalized,
        IReadOnlyList<RecommendedItemView> Items)
    {
        /// <summary>"blend", or "ctr:v{n}" when the CTR model's version n chose and ordered the items.</summary>
        public string RankedBy { get; init; } = "blend";
    }

    public static RouteGroupBuilder MapRecommendations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/recommendations").WithTags("Recommendations");
        group.MapGet("/{userId}", Recommend)
            .WithSummary("Recommendations for a user: ?n=10&context=item:sku-1&slot=home&exclude_bought=true&max_per_category=3")
            .ProducesProblem(400).ProducesProblem(409).RequireRole(ApiRole.Read);
        return group;
    }

    private static async Task<Results<Ok<RecommendationView>, ProblemHttpResult>> Recommend(string userId, DmpRuntime runtime, HttpRequest http,
        CancellationToken ct)
    {
        if (ProfilesEndpoints.ValidateId(userId) is { } problem) return ProfilesEndpoints.InvalidId(problem);
        if (Query(http.Query) is not { } query) return Invalid();
        var recommender = ItemsEndpoints.Recommender(runtime);
        ServedRecommendation served;
        try
        {
            served = await recommender.RecommendAsync(userId, query, ct);
        }
        catch (DmpActors.Engine.Hosting.ProfileIsolatedException isolated)
        {
            return TypedResults.Problem(statusCode: 409, title: "Profile isolated", detail: isolated.Reason);
        }

        return TypedResults.Ok(new RecommendationView(served.RecommendationId, served.UserId, served.Slot, served.At, served.List.Personalized,
            served.List.Items.Select(i =>
            {
                var item = recommender.Find(i.ItemId);
                return new RecommendedItemView(i.ItemId, item?.Title, i.Category, item?.Price, Math.Round(i.Score, 6), i.Reason.Wire,
                    i.Reason.Anchor, i.Reason.Text);
            }).ToArray()) { RankedBy = served.CtrVersion is { } v ? $"ctr:v{v}" : "blend" });
    }

    /// <summary>The query string as a <see cref="RecommendationQuery"/>, or null when a parameter is malformed.</summary>
    internal static RecommendationQuery? Query(IQueryCollection q)
    {
        var n = 10;
        if (q.TryGetValue("n", out var nText) && (!int.TryParse(nText, out n) || n is < 1 or > 100)) return null;
        string? context = null;
        if (q.TryGetValue("context", out var contextText))
        {
            var text = contextText.ToString();
            if (!text.StartsWith("item:", StringComparison.Ordinal) || text.Length == 5) return null;
            context = text[5..];
        }

        var excludeBought = true;
        if (q.TryGetValue("exclude_bought", out var ex) && !bool.TryParse(ex, out excludeBought)) return null;
        int? maxPerCategory = null;
        if (q.TryGetValue("max_per_category", out var m))
        {
            if (!int.TryParse(m, out var max) || max < 1) return null;
            maxPerCategory = max;
        }

        var slot = q.TryGetValue("slot", out var s) ? s.ToString() : null;
        return slot is { Length: > 64 } ? null : new RecommendationQuery(n, context, slot, excludeBought, maxPerCategory);
    }

    private static ProblemHttpResult Invalid() => TypedResults.Problem(statusCode: 400, title: "Invalid query",
        detail: "n must be 1..100, context item:<id>, exclude_bought true or false, max_per_category at least 1, slot at most 64 characters");
}
