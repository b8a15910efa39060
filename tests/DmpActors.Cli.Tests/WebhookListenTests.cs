using System.Net;
using DmpActors.Cli.Palettes.Webhook;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Webhooks;

namespace DmpActors.Cli.Tests;

/// <summary>`dmpctl webhook listen` against the engine's own sender: signatures verify, duplicates drop, forgeries fail.</summary>
public sealed class WebhookListenTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public async Task Listen_prints_a_signed_offer_once_and_refuses_a_forged_one()
    {
        var output = new StringWriter();
        await using var listener = await WebhookListener.StartAsync(IPAddress.Loopback, 0, Secret, output, CancellationToken.None);
        var subscription = new WebhookSubscription("try", $"http://127.0.0.1:{listener.Port}/offers", Secret, [WebhookKinds.Offer]);
        var sender = new WebhookSender(new HttpClient(), subscription, WebhookDeliverySettings.Default, TimeProvider.System);
        var offer = new WebhookMessage("msg-1", WebhookKinds.Offer, """{"offer_id":"o-1","user_id":"u-1"}""", DateTimeOffset.UtcNow);

        var first = await sender.SendAsync(offer, CancellationToken.None);
        var again = await sender.SendAsync(offer, CancellationToken.None);

        Assert.True(first.Delivered && again.Delivered); // a duplicate is acknowledged, so the sender stops retrying it
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("Received msg-1 {\"offer_id\":\"o-1\",\"user_id\":\"u-1\"}"));
        Assert.Contains(lines, l => l.Contains("Duplicate msg-1"));

        var forger = new WebhookSender(new HttpClient(), subscription with { Secret = "whsec_" + Convert.ToBase64String(new byte[32]) },
            WebhookDeliverySettings.Default with { MaxAttempts = 1 }, TimeProvider.System);
        var forged = await forger.SendAsync(offer with { Id = "msg-2" }, CancellationToken.None);
        Assert.Equal(401, forged.StatusCode);
        Assert.Contains("Rejected msg-2", output.ToString());
    }

    [Fact]
    public async Task Listen_needs_a_secret()
    {
        var (exit, _, error) = await CliRunner.RunAsync(["webhook", "listen", "--port", "0"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--secret", error);
    }
}
