using System.Text;
using System.Text.Json;
using Akka.Actor;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Segments;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DmpActors.Host.Api;

/// <summary>
/// Segment definitions (docs/segments.md#defining-segments): define or change one (a new version), list, read one
/// with its version history, delete. Rules are checked here, so a bad one is refused with its line and column before
/// it reaches the catalogue.
/// </summary>
public static class SegmentsEndpoints
{
    /// <summary>A definition body: the rule text, a JSON rule tree, or a JSON object of either plus the shadow flag.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public sealed record VersionView(int Version, string Rule, bool Shadow, DateTimeOffset DefinedAt, bool Deleted)
    {
        public static VersionView From(SegmentVersion v) => new(v.Version, v.Rule, v.Shadow, v.DefinedAt, v.Deleted);
    }

    public sealed record SegmentView(string Id, int Version, string Rule, bool Shadow, DateTimeOffset DefinedAt)
    {
        public static SegmentView From(SegmentVersion v) => new(v.SegmentId, v.Version, v.Rule, v.Shadow, v.DefinedAt);
    }

    /// <param name="Outcome">created, updated or unchanged.</param>
    public sealed record PutView(string Outcome, SegmentView Segment);

    public sealed record ListView(long Revision, IReadOnlyList<SegmentView> Segments);

    /// <param name="RuleJson">The rule as its JSON tree (docs/segments.md#json).</param>
    /// <param name="Size">Members in the store's member index: every node's users, as of each one's last checkpoint.</param>
    public sealed record DetailView(string Id, int Version, string Rule, JsonElement RuleJson, bool Shadow, DateTimeOffset DefinedAt,
        IReadOnlyList<VersionView> History, long Size);

    public sealed record DeletedView(string Id, int Version, DateTimeOffset DeletedAt);

    public static RouteGroupBuilder MapSegments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/segments").WithTags("Segments");
        group.MapGet("/", List)
            .WithSummary("Every live segment definition, at the catalogue's revision")
            .ProducesProblem(503)
            .RequireRole(ApiRole.Read);
        group.MapGet("/{segmentId}", Get)
            .WithSummary("A segment's current definition (text and JSON tree) and its version history")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(503)
            .RequireRole(ApiRole.Read);
        group.MapPut("/{segmentId}", Put)
            .WithSummary("Define a segment: the rule as text (text/plain, ?shadow=true) or JSON {\"rule\": text or tree, \"shadow\": bool}; " +
                         "201 when created, 200 with a new version or unchanged")
            .Accepts<string>("text/plain", "application/json")
            .ProducesProblem(400).ProducesProblem(503)
            .RequireRole(ApiRole.Admin);
        group.MapDelete("/{segmentId}", Delete)
            .WithSummary("Delete a segment: a tombstone version ends its history; defining it again starts the next version")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(503)
            .RequireRole(ApiRole.Admin);
        return group;
    }

    private static async Task<Results<Ok<ListView>, ProblemHttpResult>> List(DmpRuntime runtime, CancellationToken ct)
    {
        try
        {
            var current = await runtime.Engine.SegmentCatalogue.ListAsync(ct);
            return TypedResults.Ok(new ListView(current.Revision, current.Segments.Select(SegmentView.From).ToList()));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<DetailView>, ProblemHttpResult>> Get(string segmentId, DmpRuntime runtime, CancellationToken ct)
    {
        if (InvalidId(segmentId) is { } bad) return bad;
        try
        {
            var history = await runtime.Engine.SegmentCatalogue.HistoryAsync(segmentId, ct);
            if (history.Count == 0 || history[^1].Deleted) return Unknown(segmentId, history);
            var current = history[^1];
            using var json = JsonDocument.Parse(RuleDefinition.Define(current.Rule).ToJson());
            var size = await runtime.Engine.Store.CountSegmentMembersAsync(segmentId, ct);
            return TypedResults.Ok(new DetailView(current.SegmentId, current.Version, current.Rule, json.RootElement.Clone(), current.Shadow,
                current.DefinedAt, history.Select(VersionView.From).ToList(), size));
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Created<PutView>, Ok<PutView>, ProblemHttpResult>> Put(string segmentId, HttpRequest request,
        DmpRuntime runtime, CancellationToken ct)
    {
        if (InvalidId(segmentId) is { } bad) return bad;
        var body = await SegmentDefinitionBody.ReadAsync(request, MaxBodyBytes, ct);
        if (body.Problem is { } problem) return TypedResults.Problem(statusCode: 400, title: "Invalid segment definition", detail: problem);
        RuleDefinition rule;
        try
        {
            rule = body.Define();
        }
        catch (RuleException e)
        {
            return RuleRefused(e);
        }
        catch (FormatException e)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid rule tree", detail: e.Message);
        }

        try
        {
            var put = await runtime.Engine.SegmentCatalogue.PutAsync(segmentId, rule, body.Shadow, ct);
            var view = new PutView(put.Outcome.ToString().ToLowerInvariant(), SegmentView.From(put.Current));
            return put.Outcome == PutOutcome.Created
                ? TypedResults.Created($"/v1/segments/{segmentId}", view)
                : TypedResults.Ok(view);
        }
        catch (SegmentCatalogueException e)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid segment definition", detail: e.Message);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<DeletedView>, ProblemHttpResult>> Delete(string segmentId, DmpRuntime runtime, CancellationToken ct)
    {
        if (InvalidId(segmentId) is { } bad) return bad;
        try
        {
            return await runtime.Engine.SegmentCatalogue.DeleteAsync(segmentId, ct) is { } tombstone
                ? TypedResults.Ok(new DeletedView(segmentId, tombstone.Version, tombstone.DefinedAt))
                : Unknown(segmentId, []);
        }
        catch (AskTimeoutException)
        {
            return Unavailable();
        }
    }

    /// <summary>400 with every error's line, column and message; the first also at the top level.</summary>
    private static ProblemHttpResult RuleRefused(RuleException e) => TypedResults.Problem(
        statusCode: 400,
        title: e is RuleParseException ? "Rule syntax error" : "Rule refused",
        detail: string.Join("; ", e.Errors),
        extensions: new Dictionary<string, object?>
        {
            ["line"] = e.Line, ["column"] = e.Column, ["message"] = e.Errors[0].Message,
            ["errors"] = e.Errors.Select(x => new { line = x.Line, column = x.Column, message = x.Message }).ToList(),
        });

    private static ProblemHttpResult? InvalidId(string id) =>
        SegmentIds.Problem(id) is { } problem ? TypedResults.Problem(statusCode: 400, title: "Invalid segment id", detail: problem) : null;

    private static ProblemHttpResult Unknown(string id, IReadOnlyList<SegmentVersion> history) => TypedResults.Problem(statusCode: 404,
        title: "Unknown segment",
        detail: history.Count == 0 ? $"segment '{id}' is not defined" : $"segment '{id}' was deleted (version {history[^1].Version})");

    private static ProblemHttpResult Unavailable() => TypedResults.Problem(statusCode: 503, title: "Segment catalogue unavailable",
        detail: "the segment catalogue did not answer in time (its node may be moving or its database unreachable); try again");
}

/// <summary>What a PUT of a segment sent: rule text (text/plain, shadow flag from ?shadow=), a JSON rule tree, or a
/// JSON object {"rule": text or tree, "shadow": bool}.</summary>
internal sealed record SegmentDefinitionBody(string? Text, string? TreeJson, bool Shadow, string? Problem)
{
    public RuleDefinition Define() => Text is not null ? RuleDefinition.Define(Text) : RuleDefinition.FromJson(TreeJson!);

    public static async Task<SegmentDefinitionBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        var shadowQuery = request.Query["shadow"].FirstOrDefault();
        bool? queryShadow = shadowQuery is null ? null : bool.TryParse(shadowQuery, out var s) ? s : null;
        if (shadowQuery is not null && queryShadow is null) return Fail($"shadow must be true or false, got '{shadowQuery}'");

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return Fail($"the body is larger than {maxBytes / 1024} KB");
            buffer.Write(chunk, 0, read);
        }

        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (string.IsNullOrWhiteSpace(body)) return Fail("the body is empty: send the rule as text or as JSON {\"rule\": ..., \"shadow\": false}");
        var json = request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        if (!json) return new(body, null, queryShadow ?? false, null);
        return FromJson(body, queryShadow);
    }

    private static SegmentDefinitionBody FromJson(string body, bool? queryShadow)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail("a JSON body is an object: {\"rule\": text or tree, \"shadow\": false}");
            if (!root.TryGetProperty("rule", out var rule))
                return root.TryGetProperty("op", out _) ? new(null, body, queryShadow ?? false, null) : Fail("the JSON body has no \"rule\"");
            var shadow = queryShadow ?? false;
            if (root.TryGetProperty("shadow", out var flag))
            {
                if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return Fail("\"shadow\" must be true or false");
                shadow = flag.GetBoolean();
            }

            return rule.ValueKind switch
            {
                JsonValueKind.String => new(rule.GetString(), null, shadow, null),
                JsonValueKind.Object => new(null, rule.GetRawText(), shadow, null),
                _ => Fail("\"rule\" is the rule text (a string) or its JSON tree (an object)"),
            };
        }
        catch (JsonException e)
        {
            return Fail("the body is not valid JSON: " + e.Message);
        }
    }

    private static SegmentDefinitionBody Fail(string problem) => new(null, null, false, problem);
}
