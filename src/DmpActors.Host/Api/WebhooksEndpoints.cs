using DmpActors.Domain.Campaigns;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Webhooks;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DmpActors.Host.Api;

/// <summary>/v1/webhooks: subscriber endpoints (the secret is write-only), their delivery log, and redelivery of dead letters.</summary>
public static class WebhooksEndpoints
{
    /// <summary>The body of PUT; <c>secret</c> may be left out on an update to keep the current one.</summary>
    public sealed record WebhookBody(string? Url, string? Secret, IReadOnlyList<string>? Kinds, bool? Enabled);

    public sealed record DeliveryView(string Id, string Kind, string Status, int Attempts, int? StatusCode, double? LatencyMs,
        string? Error, DateTimeOffset EnqueuedAt, DateTimeOffset? CompletedAt)
    {
        public static DeliveryView From(DeliveryRecord r) => new(r.Id, r.Kind, r.Status.ToString().ToLowerInvariant(), r.Attempts,
            r.StatusCode, r.LatencyMs, r.Error, r.EnqueuedAt, r.CompletedAt);
    }

    public sealed record DeliveriesView(string Webhook, IReadOnlyList<DeliveryView> Deliveries);

    public sealed record RedeliverBody(IReadOnlyList<string>? MessageIds);

    public sealed record RedeliveryView(string Webhook, IReadOnlyList<string> Queued);

    public sealed record WebhookListView(IReadOnlyList<WebhookSummaryView> Webhooks);

    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags("Webhooks");
        group.MapGet("", List).RequireRole(ApiRole.Admin)
            .WithSummary("Every endpoint, without secrets, with its delivery summary and circuit state");
        group.MapPut("/{id}", Put).RequireRole(ApiRole.Admin).WithSummary("Create or replace a subscriber endpoint");
        group.MapGet("/{id}", Get).RequireRole(ApiRole.Read).WithSummary("A subscriber endpoint, without its secret");
        group.MapDelete("/{id}", Delete).RequireRole(ApiRole.Admin).WithSummary("Remove an endpoint, its outbox and its log");
        group.MapGet("/{id}/deliveries", Deliveries).RequireRole(ApiRole.Read)
            .WithSummary("The delivery log, newest first: status, attempts, last HTTP status, latency");
        group.MapPost("/{id}/redeliver", Redeliver).RequireRole(ApiRole.Admin).WithSummary("Queue dead letters again");
        return group;
    }

    private static WebhookHub Hub(DmpRuntime runtime) => runtime.Engine.Webhooks;

    private static async Task<Results<Ok<WebhookView>, Created<WebhookView>, ValidationProblem>> Put(string id, WebhookBody body,
        DmpRuntime runtime, CancellationToken ct)
    {
        var existing = await Hub(runtime).GetAsync(id, ct);
        var keepSecret = existing is not null && string.IsNullOrEmpty(body.Secret);
        var subscription = new WebhookSubscription(id, body.Url ?? "", keepSecret ? "" : body.Secret ?? "", body.Kinds ?? [], body.Enabled ?? true);
        var errors = WebhookSubscription.Validate(keepSecret ? subscription with { Secret = Placeholder } : subscription);
        if (errors.Count > 0) return Invalid(errors);
        var saved = await Hub(runtime).SaveAsync(subscription, ct);
        return saved.Created ? TypedResults.Created($"/v1/webhooks/{id}", saved.View) : TypedResults.Ok(saved.View);
    }

    /// <summary>Stands in for the kept secret during validation (a valid one: 32 zero bytes).</summary>
    private static readonly string Placeholder = WebhookSubscription.SecretPrefix + Convert.ToBase64String(new byte[32]);

    private static async Task<Ok<WebhookListView>> List(DmpRuntime runtime, CancellationToken ct) =>
        TypedResults.Ok(new WebhookListView(await Hub(runtime).ListAsync(ct)));

    private static async Task<Results<Ok<WebhookView>, NotFound>> Get(string id, DmpRuntime runtime, CancellationToken ct) =>
        await Hub(runtime).GetAsync(id, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> Delete(string id, DmpRuntime runtime, CancellationToken ct) =>
        await Hub(runtime).DeleteAsync(id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Ok<DeliveriesView>, NotFound, ValidationProblem>> Deliveries(string id, DmpRuntime runtime,
        [FromQuery] int? limit, [FromQuery] string? status, CancellationToken ct)
    {
        DeliveryStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var parsed))
                return Invalid([new FieldError("status", "one of pending, delivered, dead")]);
            wanted = parsed;
        }
        if (limit is < 1 or > 10_000) return Invalid([new FieldError("limit", "between 1 and 10000")]);
        var reply = await Hub(runtime).DeliveriesAsync(id, limit ?? 100, wanted, ct);
        return reply.Found
            ? TypedResults.Ok(new DeliveriesView(id, reply.Deliveries.Select(DeliveryView.From).ToList()))
            : TypedResults.NotFound();
    }

    private static async Task<Results<Accepted<RedeliveryView>, NotFound>> Redeliver(string id, [FromBody] RedeliverBody? body,
        DmpRuntime runtime, CancellationToken ct)
    {
        var reply = await Hub(runtime).RedeliverAsync(id, body?.MessageIds, ct);
        return reply.Found ? TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", new RedeliveryView(id, reply.MessageIds)) : TypedResults.NotFound();
    }

    private static ValidationProblem Invalid(IEnumerable<FieldError> errors) => TypedResults.ValidationProblem(
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
}
