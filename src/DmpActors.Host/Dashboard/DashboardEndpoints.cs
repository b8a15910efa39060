using System.Text.Json;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DmpActors.Host.Dashboard;

/// <summary>
/// The dashboard: its page and assets (built by dashboard/build.sh, embedded in this assembly) at / and /dashboard/,
/// open to anyone because they hold no data; and GET /v1/stream/dashboard, the live samples it draws, with the read role.
/// </summary>
public static class DashboardEndpoints
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    };

    public static IServiceCollection AddDmpDashboard(this IServiceCollection services) => services
        .AddSingleton<DashboardFeed>()
        .AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());

    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", () => Asset("index.html")).RequireRole(ApiRole.Anyone).ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", (string file) => Asset(file)).RequireRole(ApiRole.Anyone).ExcludeFromDescription();
        app.MapGroup("/v1/stream").WithTags("Dashboard")
            .MapGet("/dashboard", Stream)
            .RequireRole(ApiRole.Read)
            .WithSummary("Server-sent events: the last five minutes of samples (event: history), then one a second (event: sample)");
    }

    private static Results<FileStreamHttpResult, NotFound> Asset(string file)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + file);
        return stream is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out var type)
            ? TypedResults.NotFound()
            : TypedResults.Stream(stream, type);
    }

    private static async Task Stream(HttpContext http, DashboardFeed feed, IOptions<JsonOptions> json, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var options = json.Value.SerializerOptions;
        var (history, live) = feed.Subscribe(ct);
        try
        {
            await Send(http, "history", JsonSerializer.Serialize(history, options), ct);
            await foreach (var sample in live.ReadAllAsync(ct))
                await Send(http, "sample", JsonSerializer.Serialize(sample, options), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed or navigated away.
        }
    }

    private static async Task Send(HttpContext http, string name, string data, CancellationToken ct)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {data}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
