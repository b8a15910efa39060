using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>GET /v1/profiles/{userId}/explain: for each segment the user is in or just left, the rule version, the
/// clause values on the live profile and the event (or re-evaluation) that decided it; and the user's recent campaign
/// decisions with the rule, cap or window that decided each.</summary>
public static class ProfileExplainEndpoint
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public sealed record ClauseView(string Clause, bool Value, string Observed);

    /// <param name="DecidedBy">What decided the latest change: <c>event:&lt;event id&gt;</c> or <c>evaluation:&lt;revision&gt;</c>.</param>
    /// <param name="Outcome">The current rule's outcome on the profile now; null when the segment is no longer defined.</param>
    public sealed record SegmentExplainView(string Segment, bool Member, bool Shadow, int Version, int? CurrentVersion, DateTimeOffset Since,
        string ChangeId, string DecidedBy, string? Rule, bool? Outcome, IReadOnlyList<ClauseView> Deciding, IReadOnlyList<ClauseView> Clauses);

    /// <param name="Outcome">sent, paused, not_active, no_consent, holdout, out_of_budget, capped, deferred, dropped or not_in_audience.</param>
    /// <param name="Reason">The rule, cap or window that decided it.</param>
    public sealed record DecisionView(string Campaign, string Outcome, string Reason, string? Variant, DateTimeOffset DecidedAt, DateTimeOffset? DeferredUntil);

    /// <param name="Decisions">The user's recent campaign decisions, newest first.</param>
    public sealed record ExplainView(string UserId, long SegmentSetRevision, IReadOnlyList<SegmentExplainView> Segments,
        IReadOnlyList<DecisionView> Decisions);

    public static void MapExplain(this RouteGroupBuilder profiles) =>
        profiles.MapGet("/{userId}/explain", Explain)
            .RequireRole(ApiRole.Read)
            .WithSummary("Why the user is in each of their segments, or just left one")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<ExplainView>, ProblemHttpResult>> Explain(string userId, DmpRuntime runtime, TimeProvider clock, CancellationToken ct)
    {
        if (ProfilesEndpoints.ValidateId(userId) is { } problem) return ProfilesEndpoints.InvalidId(problem);
        Domain.Profiles.UserProfile? profile;
        try
        {
            profile = await runtime.Engine.GetProfileAsync(userId, AskTimeout, ct);
        }
        catch (ProfileIsolatedException isolated)
        {
            return TypedResults.Problem(statusCode: 409, title: "Profile isolated", detail: isolated.Reason);
        }
        if (profile is null) return TypedResults.Problem(statusCode: 404, title: "Unknown user", detail: $"no events have been applied for '{userId}'");
        var set = runtime.Engine.Segments.Current;
        var segments = SegmentExplainer.Explain(profile, set, clock.GetUtcNow()).Select(View).ToArray();
        var decisions = (await runtime.Engine.Offers.DecisionsAsync(profile.Id, ct)).Decisions.Reverse()
            .Select(d => new DecisionView(d.CampaignId, d.Code, d.Reason, d.VariantId, d.DecidedAt, d.DeferredUntil)).ToArray();
        return TypedResults.Ok(new ExplainView(profile.Id, set.Revision, segments, decisions));
    }

    private static SegmentExplainView View(SegmentExplanation e) => new(e.SegmentId, e.Member, e.Shadow, e.Version, e.CurrentVersion, e.Since,
        e.ChangeId, e.Cause, e.Rule, e.Explanation?.Outcome, Clauses(e.Explanation?.Deciding), Clauses(e.Explanation?.Clauses));

    private static ClauseView[] Clauses(IReadOnlyList<ClauseValue>? clauses) =>
        clauses?.Select(c => new ClauseView(c.Clause, c.Value, c.Observed)).ToArray() ?? [];
}
