using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Host.Runtime;

namespace DmpActors.Host.Api;

/// <summary>GET /v1/profiles/{userId}: the live profile, answered by the user's actor (read-your-writes).</summary>
public static class ProfilesEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public sealed record PurchaseView(string OrderId, DateTimeOffset At, decimal Revenue, string? Currency, IReadOnlyList<LineItem> Items);

    public sealed record ConsentView(bool Granted, DateTimeOffset At);

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
        IReadOnlyList<string> KnownIds)
    {
        public static ProfileView From(UserProfile p) => new(
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
            p.KnownIds);
    }

    public static void MapProfiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/profiles/{userId}", GetProfile)
            .WithTags("Profiles")
            .WithSummary("The live profile of a user or anonymous id")
            .Produces<ProfileView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetProfile(string userId, DmpRuntime runtime, CancellationToken ct)
    {
        if (ValidateId(userId) is { } problem)
            return Results.Problem(statusCode: 400, title: "Invalid user id", detail: problem);
        var profile = await runtime.Engine.GetProfileAsync(userId, AskTimeout, ct);
        return profile is null
            ? Results.Problem(statusCode: 404, title: "Unknown user", detail: $"no events have been applied for '{userId}'")
            : Results.Json(ProfileView.From(profile));
    }

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
