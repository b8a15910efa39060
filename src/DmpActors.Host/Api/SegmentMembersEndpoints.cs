using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using DmpActors.Engine.Storage;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>
/// A segment's audience from the store's member index (docs/segments.md#members-and-export): pages with a cursor, the
/// whole audience streamed as CSV or JSON lines (what a channel imports), and its size. The index is written with each
/// checkpoint, so it trails the live entities by at most a checkpoint interval.
/// </summary>
public static class SegmentMembersEndpoints
{
    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 10_000;

    /// <summary>Rows read from the store per query while an export streams.</summary>
    private const int ExportPageSize = 5000;

    /// <param name="Next">The cursor of the next page (pass it as <c>?cursor=</c>), null after the last page.</param>
    public sealed record MembersPage(string SegmentId, IReadOnlyList<string> Members, string? Next);

    public sealed record MembersCount(string SegmentId, long Count);

    public static RouteGroupBuilder MapSegmentMembers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapGet("/{segmentId}/members", GetMembers)
            .WithSummary("A page of the segment's members in id order (?limit=, ?cursor=), or the whole audience with ?format=csv or ?format=jsonl")
            .ProducesProblem(400).ProducesProblem(404)
            .RequireRole(ApiRole.Read);
        group.MapGet("/{segmentId}/members/count", CountMembers)
            .WithSummary("How many stored users are in the segment")
            .ProducesProblem(404)
            .RequireRole(ApiRole.Read);
        return group;
    }

    private static async Task<Results<Ok<MembersPage>, PushStreamHttpResult, ProblemHttpResult>> GetMembers(string segmentId, DmpRuntime runtime,
        string? format, string? cursor, int? limit, CancellationToken ct)
    {
        if (Unknown(segmentId, runtime) is { } unknown) return unknown;
        var store = runtime.Engine.Store;
        switch (format?.ToLowerInvariant())
        {
            case null or "" or "json":
                break;
            case "csv":
                return TypedResults.Stream(body => ExportAsync(store, segmentId, body, "user_id\n", CsvLine, ct), "text/csv; charset=utf-8", $"{segmentId}.csv");
            case "jsonl":
                return TypedResults.Stream(body => ExportAsync(store, segmentId, body, null, JsonLine, ct), "application/x-ndjson", $"{segmentId}.jsonl");
            default:
                return TypedResults.Problem(statusCode: 400, title: "Unknown format", detail: $"format '{format}': use json (pages), csv or jsonl");
        }
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit {size}: between 1 and {MaxPageSize}");
        string? after = null;
        if (!string.IsNullOrEmpty(cursor) && (after = DecodeCursor(cursor)) is null)
            return TypedResults.Problem(statusCode: 400, title: "Invalid cursor", detail: "pass the next cursor of a page as it came");
        var members = await store.LoadSegmentMembersAsync(segmentId, after, size, ct);
        return TypedResults.Ok(new MembersPage(segmentId, members, members.Count == size ? EncodeCursor(members[^1]) : null));
    }

    private static async Task<Results<Ok<MembersCount>, ProblemHttpResult>> CountMembers(string segmentId, DmpRuntime runtime, CancellationToken ct)
    {
        if (Unknown(segmentId, runtime) is { } unknown) return unknown;
        return TypedResults.Ok(new MembersCount(segmentId, await runtime.Engine.Store.CountSegmentMembersAsync(segmentId, ct)));
    }

    /// <summary>404 for a segment the node's current set does not define (never defined, or deleted).</summary>
    private static ProblemHttpResult? Unknown(string segmentId, DmpRuntime runtime) =>
        runtime.Engine.Segments.Current.Find(segmentId) is null
            ? TypedResults.Problem(statusCode: 404, title: "Unknown segment", detail: $"no segment '{segmentId}' is defined")
            : null;

    /// <summary>Writes every member, page by page in id order, each as one line; the response streams as it goes.</summary>
    private static async Task ExportAsync(IProfileStore store, string segmentId, Stream body, string? header, Func<string, string> line, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), bufferSize: 64 * 1024);
        if (header is not null) await writer.WriteAsync(header);
        for (string? after = null; ;)
        {
            var page = await store.LoadSegmentMembersAsync(segmentId, after, ExportPageSize, ct);
            foreach (var id in page) await writer.WriteAsync(line(id));
            await writer.FlushAsync(ct);
            if (page.Count < ExportPageSize) return;
            after = page[^1];
        }
    }

    /// <summary>RFC 4180: a field with a comma or a quote is quoted, its quotes doubled (ids hold no line breaks).</summary>
    public static string CsvLine(string id) =>
        id.AsSpan().IndexOfAny(',', '"') < 0 ? id + "\n" : "\"" + id.Replace("\"", "\"\"") + "\"\n";

    public static string JsonLine(string id) => JsonSerializer.Serialize(new { user_id = id }) + "\n";

    /// <summary>The cursor is the last id of a page, base64url so it travels in a query string as it is.</summary>
    public static string EncodeCursor(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    public static string? DecodeCursor(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
