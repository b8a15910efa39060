using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Value;
using DmpActors.Domain.Profiles.Windows;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DmpActors.Host.Api;

/// <summary>GET /v1/profiles/{userId}: the live profile, answered by the user's actor (read-your-writes). Windows,
/// affinities, lifecycle and value are computed at the time of the request on the engine's profile clock (the wall
/// clock, or the latest event time with Profiles:Clock = event), or at <c>?as_of=</c> when given.</summary>
public static class ProfilesEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public sealed record PurchaseView(string OrderId, DateTimeOffset At, decimal Revenue, string? Currency, IReadOnlyList<LineItem> Items);

    public sealed record ConsentView(bool Granted, DateTimeOffset At);

    public sealed record ConsentDecisionView(string Purpose, bool Granted, DateTimeOffset At);

    /// <summary>One window's values; <c>DistinctItemsExact</c> is false when the count is an estimate.</summary>
    public sealed record WindowView(
        IReadOnlyDictionary<string, long> EventsByType,
        IReadOnlyDictionary<string, long> ProductViewsByCategory,
        long DistinctItemsViewed,
        bool DistinctItemsExact,
        long AddToCart,
        long Purchases,
        decimal Revenue,
        long Sessions,
        IReadOnlyDictionary<string, long> OfferImpressions,
        IReadOnlyDictionary<string, long> OfferClicks,
        long Searches)
    {
        public static WindowView From(WindowValues v) => new(
            v.EventsByType.ToDictionary(t => EventTypes.ToWire(t.Key), t => t.Value),
            v.ProductViewsByCategory, v.DistinctItemsViewed, v.DistinctItemsExact, v.AddToCart, v.Purchases, v.Revenue, v.Sessions,
            v.OfferImpressions, v.OfferClicks, v.Searches);
    }

    /// <summary>Window state beyond the values: the event-time watermark and how many events came too late.</summary>
    public sealed record WindowsMetaView(DateTimeOffset? Watermark, long TooLateEvents, long LifetimeSessions);

    /// <summary>Top affinities, scores decayed to the time of the request.</summary>
    public sealed record AffinitiesView(IReadOnlyList<AffinityScore> Categories, IReadOnlyList<AffinityScore> Items);

    /// <summary>A segment the user is in (shadow: counted, its changes not published).</summary>
    public sealed record SegmentMembershipView(string Id, int Version, DateTimeOffset Since, bool Shadow);

    /// <summary>RFM inputs; recency in days.</summary>
    public sealed record ValueView(double? RecencyDays, int Frequency, decimal Monetary, int Orders, decimal? AverageOrderValue, DateTimeOffset? LastPurchaseAt);

    public sealed record ProfileView(
        string Id,
        long EventsApplied,
        DateTimeOffset? FirstSeen,
        DateTimeOffset? LastSeen,
        IReadOnlyDictionary<string, long> EventCounts,
        decimal TotalRevenue,
        int Orders,
        IReadOnlyList<string> RecentlyViewedItems,
        PurchaseView? LastPurchase,
        IReadOnlyDictionary<string, string> Traits,
        IReadOnlyDictionary<string, ConsentView>? Consent,
        IReadOnlyList<string> KnownIds,
        IReadOnlyDictionary<string, WindowView> Windows,
        WindowsMetaView WindowState,
        AffinitiesView Affinities,
        string Lifecycle,
        ValueView Value,
        IReadOnlyList<ConsentDecisionView> ConsentHistory,
        IReadOnlyList<SegmentMembershipView> Segments)
    {
        /// <summary>Affinities shown per kind.</summary>
        public const int TopAffinities = 10;

        /// <summary>The profile as seen at <paramref name="now"/>: windows end and scores decay there.</summary>
        public static ProfileView From(UserProfile p, DateTimeOffset now, ProfileRules rules) => new(
            p.Id,
            p.EventsApplied,
            p.FirstSeen,
            p.LastSeen,
            EventTypes.All.Where(t => p.CountOf(t) > 0).ToDictionary(EventTypes.ToWire, p.CountOf),
            p.TotalRevenue,
            p.Orders,
            p.RecentlyViewedItems,
            p.LastPurchase is { } lp ? new PurchaseView(lp.OrderId, lp.At, lp.Revenue, lp.Currency, lp.Items) : null,
            p.Traits,
            p.Consent?.ToDictionary(c => c.Key, c => new ConsentView(c.Value.Granted, c.Value.At)),
            p.KnownIds,
            WindowSpans.Standard.ToDictionary(w => w.Name, w => WindowView.From(p.Windows.ValuesFor(w.Span, now))),
            new WindowsMetaView(p.Windows.Watermark, p.Windows.TooLateEvents, p.Windows.LifetimeSessions),
            new AffinitiesView(p.CategoryAffinity.Top(TopAffinities, now, rules), p.ItemAffinity.Top(TopAffinities, now, rules)),
            Lifecycles.ToWire(Lifecycles.Of(p, now, rules)),
            ValueOf(ProfileValue.Of(p, now)),
            p.ConsentHistory.Decisions.Select(d => new ConsentDecisionView(d.Purpose, d.Granted, d.At)).ToArray(),
            p.Segments.Entries.Where(m => m.Member).Select(m => new SegmentMembershipView(m.SegmentId, m.Version, m.Since, m.Shadow)).ToArray());

        private static ValueView ValueOf(ProfileValue v) =>
            new(v.Recency?.TotalDays, v.Frequency, v.Monetary, v.Orders, v.AverageOrderValue, v.LastPurchaseAt);
    }

    public static RouteGroupBuilder MapProfiles(this IEndpointRouteBuilder app)
    {
        var profiles = app.MapGroup("/v1/profiles").WithTags("Profiles");
        profiles.MapGet("/{userId}", GetProfile)
            .RequireRole(ApiRole.Read)
            .WithSummary("The live profile of a user or anonymous id")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        profiles.MapExplain();
        return profiles;
    }

    private static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> GetProfile(string userId, DmpRuntime runtime,
        [FromQuery(Name = "as_of")] string? asOf, CancellationToken ct)
    {
        if (ValidateId(userId) is { } problem) return InvalidId(problem);
        var at = runtime.ProfileClock.GetUtcNow();
        if (asOf is not null && !TryParseInstant(asOf, out at))
            return TypedResults.Problem(statusCode: 400, title: "Invalid as_of",
                detail: $"'{asOf}' is not an ISO 8601 date or time, e.g. 2011-12-09 or 2011-12-09T12:00:00Z");
        UserProfile? profile;
        try
        {
            profile = await runtime.Engine.GetProfileAsync(userId, AskTimeout, ct);
        }
        catch (ProfileIsolatedException isolated)
        {
            return TypedResults.Problem(statusCode: 409, title: "Profile isolated", detail: isolated.Reason);
        }
        return profile is null
            ? TypedResults.Problem(statusCode: 404, title: "Unknown user", detail: $"no events have been applied for '{userId}'")
            : TypedResults.Ok(ProfileView.From(profile, at, runtime.Options.Profiles.ToRules()));
    }

    /// <summary>An ISO 8601 date or time; without an offset it is UTC.</summary>
    private static bool TryParseInstant(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out at);

    /// <summary>400 for an id <see cref="ValidateId"/> refuses, the same on every route that takes one.</summary>
    public static ProblemHttpResult InvalidId(string problem) => TypedResults.Problem(statusCode: 400, title: "Invalid user id", detail: problem);

    /// <summary>The same limits as event ids: 1..256 characters, no control characters.</summary>
    public static string? ValidateId(string id)
    {
        var limits = EventLimits.Default;
        if (string.IsNullOrWhiteSpace(id)) return "the id is empty";
        if (id.Length > limits.MaxIdLength) return $"the id is {id.Length} characters long; the limit is {limits.MaxIdLength}";
        if (id.Any(char.IsControl)) return "the id contains control characters";
        return null;
    }
}
