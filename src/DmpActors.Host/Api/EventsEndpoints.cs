using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Engine.Observability;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>POST /v1/events: the HTTP collector. Validates each event and produces the valid ones to Kafka.</summary>
public static class EventsEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxEventsPerRequest = 1000;
    /// <summary>The per-event reason for an event held back by its user's rate limit.</summary>
    public const string RateLimited = "rate_limited";

    public sealed record RejectedEvent(int Index, string Reason, string Detail);

    public sealed record EventsAccepted(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        // The group is /v1, not /v1/events: a route of "" under it would be /v1/events/ in metrics and route lists.
        var events = app.MapGroup("/v1").WithTags("Events");
        events.MapPost("/events", Collect)
            .RequireRole(ApiRole.Ingest)
            .RequireRateLimiting(ApiKeyAuthorization.CollectorPolicy)
            .WithSummary("Collect one event (object) or a batch (array of up to 1,000 events, 1 MiB)")
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return events;
    }

    private static async Task<Results<Accepted<EventsAccepted>, ProblemHttpResult>> Collect(HttpRequest request, DmpRuntime runtime, UserEventLimiter users, TimeProvider clock, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return TooLarge($"body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}");
        var body = await ReadBodyAsync(request, ct);
        if (body is null) return TooLarge($"body exceeds {MaxBodyBytes} bytes");

        if (!TrySplit(body, out var elements, out var problem))
            return TypedResults.Problem(statusCode: 400, title: "Body is not JSON", detail: problem);

        if (elements.Count > MaxEventsPerRequest)
            return TooLarge($"{elements.Count} events in one request; the limit is {MaxEventsPerRequest}");
        if (elements.Count == 0)
            return TypedResults.Problem(statusCode: 400, title: "No events", detail: "the array is empty");

        var engine = runtime.Engine;
        var topic = runtime.Options.Kafka.EventsTopic;
        var now = clock.GetUtcNow();
        var rejected = new List<RejectedEvent>();
        // The request's span continues the caller's traceparent; the consumer continues it from these headers.
        var traceHeaders = DmpTracing.PropagationHeaders(Activity.Current, request.Headers.ContainsKey(DmpTracing.TraceParentHeader));
        var deliveries = new List<(int Index, Task<DeliveryResult<byte[]?, byte[]>> Delivery)>();
        for (var i = 0; i < elements.Count; i++)
        {
            var raw = elements[i].ToArray();
            var parsed = EventParser.Parse(raw, now);
            if (!parsed.IsValid)
            {
                rejected.Add(new RejectedEvent(i, parsed.Rejection.Code, parsed.Rejection.Detail));
                continue;
            }
            if (!users.TryTake(parsed.Event!.EntityId))
            {
                DmpMetrics.CollectorEventsLimited.Add(1);
                rejected.Add(new RejectedEvent(i, RateLimited, $"this user id sent more than {users.PerSecond} events per second (Dmp:Security:RateLimits:UserEventsPerSecond)"));
                continue;
            }
            var key = Encoding.UTF8.GetBytes(parsed.Event.EntityId);
            deliveries.Add((i, engine.Producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = key, Value = raw, Headers = traceHeaders }, ct)));
        }
        // Every event held back for its user: the whole request is that user's, so the client should slow down.
        if (deliveries.Count == 0 && rejected.Count > 0 && rejected.All(r => r.Reason == RateLimited))
            return ApiKeyAuthorization.TooManyRequests(request.HttpContext, users.RetryAfter, $"every event's user id is over its limit of {users.PerSecond} events per second");
        var accepted = 0;
        foreach (var (index, delivery) in deliveries)
        {
            try
            {
                await delivery;
                accepted++;
            }
            catch (Exception ex) when (ex is ProduceException<byte[]?, byte[]> or KafkaException)
            {
                rejected.Add(new RejectedEvent(index, "not_stored", ex.Message));
            }
        }
        if (deliveries.Count > 0 && accepted == 0)
            return TypedResults.Problem(statusCode: 503, title: "Events could not be stored", detail: "the Kafka broker did not acknowledge any event; retry later");
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return TypedResults.Accepted((string?)null, new EventsAccepted(accepted, rejected));
    }

    /// <summary>
    /// The bytes of each event as sent: the body's one object, or each element of its top-level array. The body must
    /// be well-formed JSON (else 400); the events' text is not decoded here, so invalid UTF-8 or a lone surrogate is
    /// that event's rejection (<see cref="EventParser"/>), not a failure of the request.
    /// </summary>
    private static bool TrySplit(byte[] body, out List<ReadOnlyMemory<byte>> elements, out string? problem)
    {
        elements = [];
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read())
            {
                problem = "the body is empty";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                elements.Add(Next(ref reader, body));
            }
            else
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) elements.Add(Next(ref reader, body));
            }

            // Whitespace may follow the value; anything else throws.
            reader.Read();
            return true;
        }
        catch (JsonException ex)
        {
            problem = ex.BytePositionInLine is { } pos ? $"invalid JSON at line {ex.LineNumber + 1}, byte {pos}" : "invalid JSON";
            return false;
        }
    }

    private static ReadOnlyMemory<byte> Next(ref Utf8JsonReader reader, byte[] body)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return body.AsMemory(start, (int)reader.BytesConsumed - start);
    }

    /// <summary>Reads at most <see cref="MaxBodyBytes"/>; null when the body is longer.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: detail);
}
