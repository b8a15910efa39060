using DmpActors.Domain.Segments;
using DmpActors.Engine.Segments;

namespace DmpActors.Host.Demo;

/// <summary>--demo: a few segments over the demo traffic, defined through the catalogue like any other (a restart
/// finds them unchanged and records nothing new).</summary>
public static class DemoSegments
{
    public static readonly IReadOnlyList<(string Id, string Rule, bool Shadow)> Definitions =
    [
        ("buyers_30d", "window.purchases.30d >= 2", false),
        ("shoes_fans", "affinity.category(\"shoes\") > 0.4 and consent.marketing", false),
        ("lapsed", "orders >= 1 and not exists(window.purchases.30d) and last_seen older than 14d", false),
        ("big_spenders", "revenue.total > 500", true),
    ];

    public static async Task DefineAsync(ISegmentCatalogue catalogue, ILogger log, CancellationToken ct)
    {
        foreach (var (id, rule, shadow) in Definitions)
        {
            var put = await catalogue.PutAsync(id, RuleDefinition.Define(rule), shadow, ct);
            log.LogInformation("Demo segment {Segment} v{Version} ({Outcome}): {Rule}", id, put.Current.Version,
                put.Outcome.ToString().ToLowerInvariant(), put.Current.Rule);
        }
    }
}
