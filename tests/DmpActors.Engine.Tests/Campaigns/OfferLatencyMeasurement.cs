using System.Diagnostics;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Tests.Support;
using DmpActors.Engine.Tests.Webhooks;
using Xunit.Abstractions;

namespace DmpActors.Engine.Tests.Campaigns;

/// <summary>
/// Event produced → offer received by a real local HTTP subscriber, one user at a time (no queueing ahead of it):
/// the latency of the whole path, ingest, segment change on Kafka, the ledger, the campaign, the outbox, the POST.
/// docs/benchmarks.md quotes what it prints.
/// </summary>
public sealed class OfferLatencyMeasurement(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_purchase_that_enters_the_segment_reaches_the_subscriber_and_the_latency_is_printed()
    {
        const int users = 200;
        await using var harness = new EngineHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Ingest.CheckpointInterval = TimeSpan.FromMilliseconds(5)));
        await engine.Webhooks.SaveAsync(new WebhookSubscription("sub", subscriber.Url, TestSubscriber.Secret, [WebhookKinds.Offer]));
        await engine.SegmentCatalogue.PutAsync("buyers", RuleDefinition.Define("orders >= 1"), shadow: false);
        await engine.Campaigns.PutAsync("welcome", CampaignCatalogueActorTests.Definition("buyers"));
        await Eventually.True(() => engine.Segments.Current.Find("buyers") is not null && engine.Campaigns.Registry.Current.Find("welcome") is not null,
            TimeSpan.FromSeconds(30), "the definitions");

        var latencies = new List<double>();
        for (var u = 0; u < users; u++)
        {
            var before = subscriber.Requests.Count;
            var started = Stopwatch.GetTimestamp();
            await harness.ProduceAsync($"lat{u}", TestEvents.Purchase($"p{u}", $"lat{u}", 10m));
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            while (subscriber.Requests.Count <= before) // polled every millisecond: Eventually's 50 ms would blur the measure
            {
                Assert.True(Stopwatch.GetTimestamp() < deadline, $"the offer for lat{u} did not arrive within 30 s");
                await Task.Delay(1);
            }
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        output.WriteLine($"event → webhook received, {users} users one at a time: p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {latencies[^1]:F1} ms");
        Assert.Equal(users, subscriber.Ids.Distinct().Count());
    }
}
