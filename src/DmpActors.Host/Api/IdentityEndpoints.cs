using Akka.Actor;
using DmpActors.Domain.Identity;
using DmpActors.Engine.Profiles;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>
/// Identity and privacy: who a profile is (merged ids, refused merges), unmerge, erasure (DELETE) and data export.
/// Every request goes through the user's entity, so it is ordered with the events applied to it (docs/identity.md).
/// </summary>
public static class IdentityEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public sealed record MergedIdView(string Id, string MergeId, DateTimeOffset At);

    public sealed record RefusalView(DateTimeOffset At, string Reason, string TriggerEventId);

    public sealed record IdentityView(string Id, IReadOnlyList<MergedIdView> MergedIds, IReadOnlyList<string> UserIds, IReadOnlyList<RefusalView> RefusedMerges)
    {
        public static IdentityView From(string id, IdentityState identity) => new(id,
            identity.Merged.Select(m => new MergedIdView(m.Id, m.MergeId, m.At)).ToList(),
            identity.UserIds,
            identity.Refusals.Select(r => new RefusalView(r.At, Wire(r.Reason), r.TriggerEventId)).ToList());
    }

    public sealed record MergeRecordView(string MergeId, string SurvivorId, string AbsorbedId, DateTimeOffset At, string TriggerEventId,
        DateTimeOffset? UndoneAt, ProfilesEndpoints.ProfileView SurvivorBefore, ProfilesEndpoints.ProfileView AbsorbedBefore);

    public sealed record ExportView(DateTimeOffset ExportedAt, ProfilesEndpoints.ProfileView? Profile, IdentityView Identity,
        IReadOnlyList<MergeRecordView> MergeRecords);

    public sealed record ErasureView(string Id, int ErasedIds, DateTimeOffset QuarantinedUntil);

    public sealed record UnmergeView(string Id, string OtherId, string MergeId);

    public static RouteGroupBuilder MapIdentity(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/profiles").WithTags("Identity and privacy");
        group.MapGet("/{userId}/identity", GetIdentity)
            .WithSummary("Merged ids, known user ids and refused merges of a profile (a merged id answers with its survivor)")
            .ProducesProblem(400).ProducesProblem(404)
            .RequireRole(ApiRole.Read);
        group.MapPost("/{userId}/unmerge/{otherId}", Unmerge)
            .WithSummary("Undo the merge of otherId into userId: both profiles are restored (docs/identity.md says what happens to later events)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409)
            .RequireRole(ApiRole.Admin);
        group.MapDelete("/{userId}", Erase)
            .WithSummary("Erase the user and every id merged into it; their events are dropped during the quarantine period")
            .ProducesProblem(400).ProducesProblem(404)
            .RequireRole(ApiRole.Admin);
        group.MapGet("/{userId}/export", Export)
            .WithSummary("Everything held about the user, for data access requests")
            .ProducesProblem(400).ProducesProblem(404)
            .RequireRole(ApiRole.Admin);
        return group;
    }

    private static async Task<Results<Ok<IdentityView>, ProblemHttpResult>> GetIdentity(string userId, DmpRuntime runtime, CancellationToken ct)
    {
        if (Invalid(userId) is { } bad) return bad;
        var reply = await runtime.Engine.Users.Ask<IdentityReply>(new GetIdentity(userId), AskTimeout, ct);
        return reply.Profile is null && reply.Identity.Merged.Count == 0
            ? Unknown(userId)
            : TypedResults.Ok(IdentityView.From(reply.UserId, reply.Identity));
    }

    private static async Task<Results<Ok<UnmergeView>, ProblemHttpResult>> Unmerge(string userId, string otherId, DmpRuntime runtime, CancellationToken ct)
    {
        if ((Invalid(userId) ?? Invalid(otherId)) is { } bad) return bad;
        var result = await runtime.Engine.Users.Ask<UnmergeResult>(new UnmergeUser(userId, otherId), AskTimeout, ct);
        return result switch
        {
            { Error: null } => TypedResults.Ok(new UnmergeView(result.UserId, result.OtherId, result.MergeId!)),
            { MergeId: null } => TypedResults.Problem(statusCode: 404, title: "Not merged", detail: $"'{otherId}' is not merged into '{userId}'"),
            _ => TypedResults.Problem(statusCode: 409, title: "Cannot unmerge", detail: result.Error),
        };
    }

    private static async Task<Results<Accepted<ErasureView>, ProblemHttpResult>> Erase(string userId, DmpRuntime runtime, CancellationToken ct)
    {
        if (Invalid(userId) is { } bad) return bad;
        var erased = await runtime.Engine.Users.Ask<UserErased>(new EraseUser(userId), AskTimeout, ct);
        return erased.ErasedIds == 0
            ? Unknown(userId)
            : TypedResults.Accepted((string?)null, new ErasureView(erased.UserId, erased.ErasedIds, erased.QuarantinedUntil!.Value));
    }

    private static async Task<Results<Ok<ExportView>, ProblemHttpResult>> Export(string userId, DmpRuntime runtime, CancellationToken ct)
    {
        if (Invalid(userId) is { } bad) return bad;
        var reply = await runtime.Engine.Users.Ask<IdentityReply>(new GetIdentity(userId), AskTimeout, ct);
        if (reply.Profile is null && reply.Identity.Merged.Count == 0) return Unknown(userId);
        var records = await runtime.Engine.Store.LoadMergesAsync(reply.Identity.AllIds(reply.UserId), ct);
        var now = runtime.ProfileClock.GetUtcNow();
        var rules = runtime.Options.Profiles.ToRules();
        return TypedResults.Ok(new ExportView(
            now,
            reply.Profile is null ? null : ProfilesEndpoints.ProfileView.From(reply.Profile, now, rules),
            IdentityView.From(reply.UserId, reply.Identity),
            records.Select(r =>
            {
                var before = IdentityCodec.DecodeMerge(r.Payload);
                return new MergeRecordView(r.MergeId, r.SurvivorId, r.AbsorbedId, r.At, r.TriggerEventId, r.UndoneAt,
                    ProfilesEndpoints.ProfileView.From(before.Survivor.Profile, now, rules), ProfilesEndpoints.ProfileView.From(before.Absorbed.Profile, now, rules));
            }).ToList()));
    }

    private static ProblemHttpResult? Invalid(string id) =>
        ProfilesEndpoints.ValidateId(id) is { } problem ? ProfilesEndpoints.InvalidId(problem) : null;

    private static ProblemHttpResult Unknown(string id) =>
        TypedResults.Problem(statusCode: 404, title: "Unknown user", detail: $"nothing is held about '{id}'");

    private static string Wire(MergeRefusalReason reason) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());
}
