using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Webhooks;
using StandardWebhooks;

namespace DmpActors.Engine.Tests.Webhooks;

public sealed class WebhookSigningTests
{
    [Fact]
    public void Signature_matches_the_published_Standard_Webhooks_test_vector()
    {
        // The specification's example: secret, id, timestamp and body, and the signature every implementation must produce.
        var signer = new StandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var signature = signer.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330), """{"test": 2432232314}""");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void A_signed_request_carries_the_three_headers_over_its_exact_body()
    {
        var subscription = new WebhookSubscription("e1", "http://127.0.0.1:1/hook", TestSubscriber.Secret, [WebhookKinds.Offer]);
        var sender = new WebhookSender(new HttpClient(), subscription, WebhookDeliverySettings.Default, TimeProvider.System);
        using var request = sender.Sign(new WebhookMessage("msg_1", WebhookKinds.Offer, """{"offer":"o-1"}""", DateTimeOffset.UtcNow));
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
            headers[name] = request.Headers.GetValues(name).Single();
        new StandardWebhook(TestSubscriber.Secret).Verify("""{"offer":"o-1"}""", headers); // throws when it does not verify
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(TestSubscriber.Secret).Verify("""{"offer":"o-2"}""", headers));
    }

    [Fact]
    public void Subscriptions_are_validated_field_by_field()
    {
        var bad = new WebhookSubscription("bad id", "ftp://x", "secret", ["offer", "sms"]);
        Assert.Equal(["id", "url", "secret", "kinds[1]"], WebhookSubscription.Validate(bad).Select(e => e.Field));
        Assert.Empty(WebhookSubscription.Validate(new WebhookSubscription("ok", "https://example.com/h", TestSubscriber.Secret, ["offer"])));
    }
}
