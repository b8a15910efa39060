using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace DmpActors.Cli.Palettes.Webhook;

/// <summary>
/// A subscriber to try the platform with: takes signed POSTs on any path, verifies each signature (Standard Webhooks,
/// five minutes of timestamp tolerance), answers a duplicate <c>webhook-id</c> with 200 without showing it again, and
/// prints what arrives.
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SeenIds _seen = new(100_000);

    private WebhookListener(WebApplication app) => _app = app;

    public int Port => new Uri(_app.Urls.First()).Port;

    public static async Task<WebhookListener> StartAsync(IPAddress address, int port, string secret, TextWriter output, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        var listener = new WebhookListener(app);
        var webhook = new StandardWebhook(secret);
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var id = request.Headers["webhook-id"].ToString();
            var verdict = listener.Judge(webhook, body, request.Headers);
            lock (output) output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {verdict} {id} {body}");
            return verdict == Verdict.Rejected ? Results.Unauthorized() : Results.Ok();
        });
        await app.StartAsync(ct);
        return listener;
    }

    public enum Verdict { Received, Duplicate, Rejected }

    public Verdict Judge(StandardWebhook webhook, string body, IHeaderDictionary headers)
    {
        if (!Verifies(webhook, body, headers)) return Verdict.Rejected;
        return _seen.Add(headers["webhook-id"].ToString()) ? Verdict.Received : Verdict.Duplicate;
    }

    /// <summary>The verification docs/webhooks.md shows for C#: the exact body as received, and the three headers.</summary>
    public static bool Verifies(StandardWebhook webhook, string body, IHeaderDictionary headers)
    {
        try
        {
            webhook.Verify(body, headers);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The latest ids seen, oldest forgotten first.</summary>
    private sealed class SeenIds(int capacity)
    {
        private readonly HashSet<string> _set = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public bool Add(string id)
        {
            lock (_set)
            {
                if (!_set.Add(id)) return false;
                _order.Enqueue(id);
                if (_order.Count > capacity) _set.Remove(_order.Dequeue());
                return true;
            }
        }
    }
}
