using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Webhooks;

/// <summary>Deliveries to real HTTP subscribers (Kestrel on loopback) through the durable outbox on SQLite.</summary>
public sealed class WebhookDeliveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string Body(int i) => $$"""{"offer_id":"o-{{i}}"}""";

    [Fact]
    public async Task Retries_keep_one_webhook_id_and_stop_at_the_first_success()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        subscriber.Behaviour = (_, attempt, _) => Task.FromResult((attempt <= 2 ? 500 : 200, (string?)null));
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber));

        var published = await hub.PublishAsync(WebhookKinds.Offer, "msg-1", Body(1));

        Assert.Equal(1, published.Queued);
        await Eventually.True(async () => (await harness.DeliveredAsync("crm")).Count == 1, Wait, "msg-1 delivered");
        Assert.Equal(["msg-1", "msg-1", "msg-1"], subscriber.Ids);
        Assert.All(subscriber.Requests, r => Assert.True(r.Verified));
        var record = Assert.Single(await harness.DeliveredAsync("crm"));
        Assert.Equal((3, 200), (record.Attempts, record.StatusCode));
        // The same id published again (a replay of its trigger) queues nothing.
        Assert.Equal(0, (await hub.PublishAsync(WebhookKinds.Offer, "msg-1", Body(1))).Queued);
    }

    [Fact]
    public async Task Retry_after_on_429_is_honoured()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        subscriber.Behaviour = (_, attempt, _) => Task.FromResult(attempt == 1 ? (429, (string?)"2") : (200, null));
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber));

        await hub.PublishAsync(WebhookKinds.Offer, "msg-1", Body(1));

        await Eventually.True(async () => (await harness.DeliveredAsync("crm")).Count == 1, Wait, "msg-1 delivered");
        var requests = subscriber.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var gap = requests[1].At - requests[0].At;
        Assert.InRange(gap.TotalSeconds, 1.9, 4); // the backoff alone would have waited about 50 ms
    }

    [Fact]
    public async Task A_stalled_subscriber_does_not_delay_another()
    {
        await using var harness = new WebhookHarness();
        await using var stalled = await TestSubscriber.StartAsync();
        await using var healthy = await TestSubscriber.StartAsync();
        var release = new TaskCompletionSource();
        stalled.Behaviour = async (_, _, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return (200, null);
        };
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("stalled", stalled));
        await hub.SaveAsync(WebhookHarness.Subscription("healthy", healthy));

        for (var i = 0; i < 20; i++) Assert.Equal(2, (await hub.PublishAsync(WebhookKinds.Offer, $"msg-{i}", Body(i))).Endpoints);

        await Eventually.True(async () => (await harness.DeliveredAsync("healthy")).Count == 20, TimeSpan.FromSeconds(5),
            "the healthy endpoint got all 20 while the other hangs");
        Assert.Empty(await harness.DeliveredAsync("stalled"));
        Assert.True(stalled.Requests.Count <= harness.Delivery.MaxInFlight, "the stalled endpoint holds at most its in-flight limit");
        release.SetResult();
        await Eventually.True(async () => (await harness.DeliveredAsync("stalled")).Count == 20, Wait, "the stalled endpoint catches up");
    }

    [Fact]
    public async Task A_subscriber_down_then_up_receives_everything_once()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        var port = subscriber.Port;
        harness.Delivery = harness.Delivery with { MaxAttempts = 30 }; // enough retries to outlast the outage
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber));
        await subscriber.StopAsync();

        for (var i = 0; i < 30; i++) await hub.PublishAsync(WebhookKinds.Offer, $"msg-{i}", Body(i));
        await Task.Delay(TimeSpan.FromSeconds(2)); // down long enough for the breaker to open and retries to pile up
        await subscriber.StartOnAsync(port);

        await Eventually.True(async () => (await harness.DeliveredAsync("crm")).Count == 30, Wait, "all 30 delivered");
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"msg-{i}").Order(), subscriber.Ids.Order());
    }

    [Fact]
    public async Task The_outbox_survives_a_restart_and_delivers_what_was_pending()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        var port = subscriber.Port;
        harness.Delivery = harness.Delivery with { BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(5) };
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber));
        await subscriber.StopAsync();
        for (var i = 0; i < 10; i++) await hub.PublishAsync(WebhookKinds.Offer, $"msg-{i}", Body(i));

        await harness.StopAsync();
        await subscriber.StartOnAsync(port);
        hub = await harness.StartAsync();

        await Eventually.True(async () => (await harness.DeliveredAsync("crm")).Count == 10, Wait, "the pending 10 delivered after restart");
        Assert.Equal(10, subscriber.Ids.Distinct().Count());
        Assert.Equal(10, subscriber.Ids.Count);
        var view = await hub.GetAsync("crm");
        Assert.Equal(subscriber.Url, view!.Url);
    }

    [Fact]
    public async Task A_refused_message_is_a_dead_letter_until_redelivered()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        var refuse = true;
        subscriber.Behaviour = (_, _, _) => Task.FromResult((refuse ? 400 : 200, (string?)null));
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber));
        await hub.PublishAsync(WebhookKinds.Offer, "msg-1", Body(1));

        await Eventually.True(async () => (await hub.DeliveriesAsync("crm", 10, DeliveryStatus.Dead)).Deliveries.Count == 1, Wait, "dead letter");
        Assert.Single(subscriber.Requests); // a 400 is not retried
        refuse = false;
        var redelivery = await hub.RedeliverAsync("crm");

        Assert.Equal(["msg-1"], redelivery.MessageIds);
        await Eventually.True(async () => (await harness.DeliveredAsync("crm")).Count == 1, Wait, "redelivered");
        Assert.Equal(2, (await harness.DeliveredAsync("crm"))[0].Attempts);
        Assert.Equal(0, (await hub.GetAsync("crm"))!.Dead);
    }

    [Fact]
    public async Task A_deleted_endpoint_is_gone_and_receives_nothing()
    {
        await using var harness = new WebhookHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        var hub = await harness.StartAsync();
        await hub.SaveAsync(WebhookHarness.Subscription("crm", subscriber, WebhookKinds.SegmentChange));
        Assert.Equal(0, (await hub.PublishAsync(WebhookKinds.Offer, "msg-1", Body(1))).Endpoints); // not its kind

        Assert.True(await hub.DeleteAsync("crm"));
        Assert.Null(await hub.GetAsync("crm"));
        Assert.False(await hub.DeleteAsync("crm"));
        Assert.Equal(0, (await hub.PublishAsync(WebhookKinds.SegmentChange, "msg-2", Body(2))).Endpoints);
    }
}
