using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Recommendations;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>The item catalogue: PUT one item, POST a batch (what <c>dmpctl items import</c> sends), GET one or a page,
/// and an item's associations as the recommender holds them now (docs/recommendations.md).</summary>
public static class ItemsEndpoints
{
    public const int MaxBatch = 1_000;
    public const int MaxPage = 1_000;

    /// <summary>What a client sends for an item; the id comes from the path (PUT) or the body (POST).</summary>
    public sealed record ItemBody(string? Id, string? Title, string? Category, decimal? Price, IReadOnlyList<string>? Tags, bool? Available);

    public sealed record ItemView(string Id, string? Title, string? Category, decimal? Price, IReadOnlyList<string> Tags, bool Available,
        bool Learned, DateTimeOffset? UpdatedAt)
    {
        public static ItemView From(CatalogueItem i) => new(i.Id, i.Title, i.Category, i.Price, i.Tags, i.Available, i.Learned, i.UpdatedAt);
    }

    public sealed record ItemPage(IReadOnlyList<ItemView> Items, string? Next);

    public sealed record BatchResult(int Stored);

    public sealed record RuleView(string Item, long Together, double Support, double Confidence, double Lift);

    public sealed record NeighbourView(string Item, double Similarity);

    public sealed record AssociationsView(string Item, long Baskets, long Sessions, double Popularity, double Trending,
        IReadOnlyList<RuleView> CoBought, IReadOnlyList<RuleView> CoViewed, IReadOnlyList<NeighbourView> Similar);

    public static RouteGroupBuilder MapItems(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/items").WithTags("Catalogue");
        group.MapPut("/{itemId}", Put).WithSummary("Create or replace a catalogue item (title, category, price, tags, available)")
            .ProducesProblem(400).RequireRole(ApiRole.Admin);
        group.MapPost("/", PostBatch).WithSummary($"Create or replace up to {MaxBatch} items in one transaction")
            .ProducesProblem(400).RequireRole(ApiRole.Admin);
        group.MapGet("/{itemId}", Get).WithSummary("One item, catalogued or learned from events").ProducesProblem(404).RequireRole(ApiRole.Read);
        group.MapGet("/", List).WithSummary("Items by id, a page at a time (?after=&limit=)").ProducesProblem(400).RequireRole(ApiRole.Read);
        group.MapGet("/{itemId}/associations", Associations)
            .WithSummary("Co-bought and co-viewed rules (support, confidence, lift), content neighbours, popularity and trending")
            .RequireRole(ApiRole.Read);
        return group;
    }

    internal static RecommendationService Recommender(DmpRuntime runtime) =>
        runtime.Engine.Recommendations ?? throw new InvalidOperationException("recommendations are disabled (Dmp:Recommendations:Enabled)");

    private static async Task<Results<Ok<ItemView>, ProblemHttpResult>> Put(string itemId, ItemBody body, DmpRuntime runtime, CancellationToken ct)
    {
        if (body.Id is { } id && id != itemId) return Invalid($"the body's id '{id}' is not the path's '{itemId}'");
        var item = ToItem(itemId, body);
        if (Problems(item) is { } bad) return bad;
        await Recommender(runtime).PutAsync([item], ct);
        return TypedResults.Ok(ItemView.From(Recommender(runtime).Find(itemId)!));
    }

    private static async Task<Results<Ok<BatchResult>, ProblemHttpResult>> PostBatch(ItemBody[] body, DmpRuntime runtime, CancellationToken ct)
    {
        if (body.Length is 0 or > MaxBatch) return Invalid($"send 1 to {MaxBatch} items, got {body.Length}");
        var items = new List<CatalogueItem>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (string.IsNullOrEmpty(body[i].Id)) return Invalid($"item {i}: id is required");
            var item = ToItem(body[i].Id!, body[i]);
            if (Problems(item, $"item {i} ('{item.Id}'): ") is { } bad) return bad;
            items.Add(item);
        }

        await Recommender(runtime).PutAsync(items, ct);
        return TypedResults.Ok(new BatchResult(items.Count));
    }

    private static Results<Ok<ItemView>, ProblemHttpResult> Get(string itemId, DmpRuntime runtime) =>
        Recommender(runtime).Find(itemId) is { } item
            ? TypedResults.Ok(ItemView.From(item))
            : TypedResults.Problem(statusCode: 404, title: "Unknown item", detail: $"'{itemId}' is neither catalogued nor seen in events");

    private static async Task<Results<Ok<ItemPage>, ProblemHttpResult>> List(DmpRuntime runtime, string? after, int? limit, CancellationToken ct)
    {
        var size = limit ?? 100;
        if (size is < 1 or > MaxPage) return Invalid($"limit must be 1..{MaxPage}, got {size}");
        var page = await Recommender(runtime).Store.ListAsync(after, size, ct);
        return TypedResults.Ok(new ItemPage(page.Select(ItemView.From).ToArray(), page.Count == size ? page[^1].Id : null));
    }

    private static Ok<AssociationsView> Associations(string itemId, DmpRuntime runtime, int? top)
    {
        var s = Recommender(runtime).Statistics(itemId, Math.Clamp(top ?? 10, 1, 100));
        static RuleView Rule(AssociationRule r) => new(r.Consequent, r.Together, r.Support, r.Confidence, r.Lift);
        return TypedResults.Ok(new AssociationsView(itemId, s.Baskets, s.Sessions, s.Popularity, s.Trending,
            s.CoBought.Select(Rule).ToArray(), s.CoViewed.Select(Rule).ToArray(),
            s.Similar.Select(n => new NeighbourView(n.ItemId, n.Score)).ToArray()));
    }

    private static CatalogueItem ToItem(string id, ItemBody body) => new()
    {
        Id = id, Title = body.Title, Category = body.Category, Price = body.Price, Tags = body.Tags ?? [], Available = body.Available ?? true,
    };

    private static ProblemHttpResult? Problems(CatalogueItem item, string prefix = "") =>
        item.Validate() is { Count: > 0 } problems ? Invalid(prefix + string.Join("; ", problems.Select(p => $"{p.Field} {p.Problem}"))) : null;

    private static ProblemHttpResult Invalid(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid item", detail: detail);
}
