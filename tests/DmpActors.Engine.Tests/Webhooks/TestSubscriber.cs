using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace DmpActors.Engine.Tests.Webhooks;

/// <summary>What a subscriber saw: one HTTP request, and whether its signature verified.</summary>
public sealed record ReceivedRequest(string Id, string Body, bool Verified, DateTimeOffset At, int Attempt);

/// <summary>How the subscriber answers the n-th request (1-based) for a webhook-id.</summary>
public delegate Task<(int Status, string? RetryAfter)> SubscriberBehaviour(string id, int attempt, CancellationToken ct);

/// <summary>A real HTTP subscriber (Kestrel on loopback) that verifies Standard Webhooks signatures.</summary>
public sealed class TestSubscriber : IAsyncDisposable
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private WebApplication? _app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public SubscriberBehaviour Behaviour { get; set; } = (_, _, _) => Task.FromResult((200, (string?)null));
    public int Port { get; private set; }
    public string Url => $"http://127.0.0.1:{Port}/hook";

    public static async Task<TestSubscriber> StartAsync(int port = 0)
    {
        var s = new TestSubscriber();
        await s.StartOnAsync(port);
        return s;
    }

    /// <summary>Starts (again) on a port: 0 for a free one, or the port it had before it stopped.</summary>
    public async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var verifier = new StandardWebhook(Secret);
        app.MapPost("/hook", async (HttpRequest request, CancellationToken ct) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync(ct);
            var id = request.Headers["webhook-id"].ToString();
            bool verified;
            try { verifier.Verify(body, request.Headers); verified = true; }
            catch (Exception) { verified = false; }
            var attempt = _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
            Requests.Enqueue(new ReceivedRequest(id, body, verified, DateTimeOffset.UtcNow, attempt));
            var (status, retryAfter) = await Behaviour(id, attempt, ct);
            if (retryAfter is not null) request.HttpContext.Response.Headers.RetryAfter = retryAfter;
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>Ids answered 2xx, with how many times each was answered so.</summary>
    public IReadOnlyList<string> Ids => Requests.Select(r => r.Id).ToList();

    public ValueTask DisposeAsync() => new(StopAsync());
}
