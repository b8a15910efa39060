using DmpActors.Domain.Webhooks;

namespace DmpActors.Domain.Tests.Webhooks;

/// <summary>An endpoint's delivery summary worked by hand from an outbox's log.</summary>
public sealed class DeliverySummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static WebhookOutbox Outbox(params (string Id, bool? Delivered, int Attempts, double Latency)[] messages)
    {
        var outbox = new WebhookOutbox();
        foreach (var (id, delivered, attempts, latency) in messages)
        {
            outbox.Enqueue(new WebhookMessage(id, WebhookKinds.Offer, "{}", T0));
            if (delivered is { } ok)
                outbox.Complete(new DeliveryOutcome(id, ok, attempts, ok ? 200 : 400, latency, ok ? null : "HTTP 400", T0.AddSeconds(1)));
        }
        return outbox;
    }

    [Fact]
    public void Counts_rates_and_latencies_follow_the_log()
    {
        // Delivered at 10, 20, 30 and 40 ms (the last after two failed attempts); one dead after 3 attempts; one pending.
        var outbox = Outbox(("a", true, 1, 10), ("b", true, 1, 20), ("c", false, 3, 500), ("d", true, 1, 30), ("e", true, 3, 40), ("f", null, 0, 0));
        var s = DeliverySummary.Of(outbox.Log(int.MaxValue));
        Assert.Equal(4, s.Delivered);
        Assert.Equal(1, s.Dead);
        Assert.Equal(1, s.Pending);
        Assert.Equal(5, s.Failed); // 3 of c, 2 of e
        Assert.Equal(5, s.Recent);
        Assert.Equal(0.8, s.SuccessRate!.Value, 10);
        Assert.Equal(25, s.LatencyMsP50!.Value, 10); // between 20 and 30
        Assert.Equal(38.5, s.LatencyMsP95!.Value, 10); // 30 + 0.85 × 10
    }

    [Fact]
    public void The_rate_and_latencies_look_at_the_newest_finished_messages_only()
    {
        var outbox = Outbox(("old-dead", false, 1, 5), ("new-1", true, 1, 7), ("new-2", true, 1, 9));
        var s = DeliverySummary.Of(outbox.Log(int.MaxValue), window: 2);
        Assert.Equal(1.0, s.SuccessRate);
        Assert.Equal(8, s.LatencyMsP50);
        Assert.Equal(1, s.Dead);
    }

    [Fact]
    public void An_endpoint_with_nothing_finished_has_no_rate_and_no_latency()
    {
        var s = DeliverySummary.Of(Outbox(("only", null, 0, 0)).Log(int.MaxValue));
        Assert.Equal((0, 0, 0, 1, 0), (s.Delivered, s.Failed, s.Dead, s.Pending, s.Recent));
        Assert.Null(s.SuccessRate);
        Assert.Null(s.LatencyMsP50);
        Assert.Null(s.LatencyMsP95);
    }
}
