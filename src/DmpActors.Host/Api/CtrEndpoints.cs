using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Recommendations;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;

namespace DmpActors.Host.Api;

/// <summary>Live CTR of served recommendations: GET /v1/items/{id}/stats (one item) and GET /v1/recommendations/stats
/// (every slot), each over the last hour, day, week and month with a 95 % Wilson interval (docs/recommendations.md).</summary>
public static class CtrEndpoints
{
    public sealed record WindowView(string Window, long Impressions, long Clicks, double Ctr, double Low, double High);

    public sealed record CtrStatsView(string Key, IReadOnlyList<WindowView> Windows);

    public sealed record SlotsView(long Impressions, long Clicks, long UnmatchedClicks, int OpenLists, IReadOnlyList<CtrStatsView> Slots);

    public static IEndpointRouteBuilder MapCtr(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/items/{itemId}/stats", (string itemId, DmpRuntime runtime) => View(ItemsEndpoints.Recommender(runtime).ItemCtr(itemId)))
            .WithTags("Catalogue").WithSummary("An item's live CTR in recommendations: impressions, clicks, rate and Wilson interval per window")
            .RequireRole(ApiRole.Read);
        app.MapGet("/v1/recommendations/stats", (DmpRuntime runtime) =>
            {
                var recommender = ItemsEndpoints.Recommender(runtime);
                var (impressions, clicks, unmatched, open) = recommender.CtrTotals;
                return new SlotsView(impressions, clicks, unmatched, open, recommender.SlotCtr().Select(View).ToArray());
            })
            .WithTags("Recommendations").WithSummary("Live CTR per slot, and the totals of the impression → click loop")
            .RequireRole(ApiRole.Read);
        return app;
    }

    private static CtrStatsView View(CtrView v) => new(v.Key, v.Windows.Select(w =>
    {
        var (low, high) = w.Estimate.Wilson;
        return new WindowView(Name(w.Window), w.Estimate.Impressions, w.Estimate.Clicks, Math.Round(w.Estimate.Rate, 6), Math.Round(low, 6),
            Math.Round(high, 6));
    }).ToArray());

    private static string Name(CtrWindow w) => w switch
    {
        CtrWindow.Hour => "1h",
        CtrWindow.Day => "24h",
        CtrWindow.Week => "7d",
        _ => "30d",
    };
}
