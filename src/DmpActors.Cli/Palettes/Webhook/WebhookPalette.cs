using System.CommandLine;
using System.Net;

namespace DmpActors.Cli.Palettes.Webhook;

/// <summary>The <c>webhook</c> palette: <c>listen</c>, a signature-checking subscriber for trying webhooks out.</summary>
public static class WebhookPalette
{
    private static readonly Option<int> Port = new("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 9000 };

    private static readonly Option<string> Host = new("--host")
    {
        Description = "Address to listen on (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1",
    };

    private static readonly Option<string> Secret = new("--secret")
    {
        Description = "The endpoint's secret (whsec_...), as given to PUT /v1/webhooks/{id}", Required = true,
    };

    public static Command Create()
    {
        var listen = new Command("listen", "Receive webhooks: verify signatures, drop duplicates by webhook-id, print what arrives")
        {
            Port, Host, Secret,
        };
        listen.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            if (!IPAddress.TryParse(parseResult.GetValue(Host), out var address))
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"--host: '{parseResult.GetValue(Host)}' is not an IP address");
                return 2;
            }
            await using var listener = await WebhookListener.StartAsync(address, parseResult.GetValue(Port), parseResult.GetValue(Secret)!, output, ct);
            output.WriteLine($"listening on http://{address}:{listener.Port}/ (Ctrl+C to stop)");
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            return 0;
        });
        return new Command("webhook", "Webhook subscribers (docs/webhooks.md)") { listen };
    }
}
