using Akka.Actor;
using DmpActors.Domain.Campaigns;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Campaigns;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;
using DmpActors.Engine.Tests.Webhooks;

namespace DmpActors.Engine.Tests.Campaigns;

/// <summary>The engine on the embedded broker and SQLite, with a real HTTP subscriber: segment changes in, offers out.</summary>
public sealed class CampaignOffersEndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Campaign(string segment, string extra = "") =>
        "{\"name\":\"Offer\",\"trigger\":{\"kind\":\"segment_entered\",\"target\":\"" + segment + "\"}," +
        "\"variants\":[{\"id\":\"a\",\"payload\":{\"offer_id\":\"o-a\"}},{\"id\":\"b\",\"payload\":{\"offer_id\":\"o-b\"}}]" + extra + "}";

    /// <summary>Defines the segments, the campaigns and the subscriber's endpoint, and waits until this node uses them.</summary>
    private static async Task DefineAsync(DmpEngine engine, TestSubscriber subscriber, (string Id, string Rule)[] segments,
        (string Id, string Json)[] campaigns)
    {
        await engine.Webhooks.SaveAsync(new WebhookSubscription("sub", subscriber.Url, TestSubscriber.Secret, [WebhookKinds.Offer]));
        foreach (var (id, rule) in segments) await engine.SegmentCatalogue.PutAsync(id, RuleDefinition.Define(rule), shadow: false);
        foreach (var (id, json) in campaigns) await engine.Campaigns.PutAsync(id, json);
        await Eventually.True(() => segments.All(s => engine.Segments.Current.Find(s.Id) is not null)
            && campaigns.All(c => engine.Campaigns.Registry.Current.Find(c.Id) is not null), Patience, "the definitions to reach the node");
    }

    private static Task<OfferDecisions> DecisionsAsync(DmpEngine engine, string user) =>
        engine.Offers.Ledgers.Ask<OfferDecisions>(new GetOfferDecisions(user), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_segment_entered_sends_one_offer_per_webhook_id_across_replayed_changes_and_a_restart()
    {
        await using var harness = new EngineHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        var seen = new List<SegmentChange>();
        IReadOnlyList<SegmentChange> changes;
        const int users = 6;

        // Given a campaign on "buyers" entered, and every user's first purchase
        await using (var engine = await harness.StartEngineAsync())
        {
            await DefineAsync(engine, subscriber, [("buyers", "orders >= 1")], [("welcome", Campaign("buyers"))]);
            var subscription = engine.SegmentChanges.Subscribe(c => { lock (seen) seen.Add(c); });
            for (var u = 0; u < users; u++) harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m));
            harness.Flush();
            await Eventually.True(() => subscriber.Ids.Distinct().Count() == users, Patience, "an offer for every user");

            subscription.Dispose();
            lock (seen) changes = seen.ToList();

            // When every change arrives again (a replay of the changes after a crash)
            foreach (var change in changes) engine.SegmentChanges.Publish(change);
        }

        // ... and again after a restart, with the events produced again too
        await using (var engine = await harness.StartEngineAsync())
        {
            for (var u = 0; u < users; u++) harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m));
            harness.Flush();
            await harness.WaitUntilCommittedToEndAsync(engine, 4);
            foreach (var change in changes)
            {
                var cause = new TriggerCause(TriggerKind.SegmentEntered, change.SegmentId, change.ChangeId, change.At);
                var again = await engine.Offers.Ledgers.Ask<OffersDecided>(new DecideOffers(change.UserId, cause), TimeSpan.FromSeconds(10));
                Assert.Empty(again.Decisions); // decided before: nothing decided, nothing sent
            }

            // Then each user got exactly one offer, under the id of (campaign, user, change), once
            var expected = changes.Select(c => OfferIds.For("welcome", c.UserId, c.ChangeId)).Order().ToList();
            Assert.Equal(users, changes.Count);
            Assert.Equal(expected, subscriber.Ids.Order());
            Assert.All(subscriber.Requests, r => Assert.True(r.Verified));
            var log = await engine.Webhooks.DeliveriesAsync("sub", 100);
            Assert.Equal(users, log.Deliveries.Count);
            var decisions = await DecisionsAsync(engine, "u0");
            Assert.Equal("sent", Assert.Single(decisions.Decisions).Code);
        }
    }

    [Fact]
    public async Task The_budget_is_spent_exactly_and_held_out_users_never_receive()
    {
        await using var harness = new EngineHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        await using var engine = await harness.StartEngineAsync();
        await DefineAsync(engine, subscriber, [("buyers", "orders >= 1")],
            [("limited", Campaign("buyers", ",\"budget\":3")), ("half", Campaign("buyers", ",\"holdout_percent\":50"))]);
        const int users = 12;

        for (var u = 0; u < users; u++) harness.Produce($"u{u}", TestEvents.Purchase($"p{u}", $"u{u}", 10m));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(engine, 4);
        var all = new List<CampaignDecision>();
        for (var u = 0; u < users; u++)
        {
            var user = $"u{u}";
            await Eventually.True(async () => (await DecisionsAsync(engine, user)).Decisions.Count == 2, Patience, $"{user}'s decisions");
            all.AddRange((await DecisionsAsync(engine, user)).Decisions);
        }

        var limited = all.Where(d => d.CampaignId == "limited").ToList();
        Assert.Equal(3, limited.Count(d => d.Outcome == DecisionOutcome.Sent));
        Assert.Equal(users - 3, limited.Count(d => d.Outcome == DecisionOutcome.OutOfBudget));
        var half = all.Where(d => d.CampaignId == "half").ToList();
        Assert.All(half, d => Assert.Equal(Holdout.IsHeldOut("half", d.UserId, 50) ? DecisionOutcome.Holdout : DecisionOutcome.Sent, d.Outcome));
        Assert.Contains(half, d => d.Outcome == DecisionOutcome.Holdout);
        var sent = all.Where(d => d.Outcome == DecisionOutcome.Sent).Select(d => OfferIds.For(d.CampaignId, d.UserId, $"event:p{d.UserId[1..]}"));
        await Eventually.True(() => subscriber.Ids.Distinct().Count() == all.Count(d => d.Outcome == DecisionOutcome.Sent), Patience, "every offer");
        Assert.DoesNotContain(subscriber.Requests, r => r.Body.Contains("\"campaign_id\":\"half\"") && Holdout.IsHeldOut("half", UserOf(r.Body), 50));
        var stats = await engine.Offers.Campaigns.Ask<CampaignStats>(new GetCampaignStats("limited"), TimeSpan.FromSeconds(10));
        Assert.Equal(3, stats.Offers);
        Assert.NotEmpty(sent);
    }

    [Fact]
    public async Task Triggers_racing_for_one_user_across_campaigns_never_exceed_the_global_cap()
    {
        await using var harness = new EngineHarness();
        await using var subscriber = await TestSubscriber.StartAsync();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Campaigns.GlobalCaps = ["2/day"]));
        await DefineAsync(engine, subscriber, [("s1", "orders >= 1"), ("s2", "orders >= 1")],
            [("c1", Campaign("s1")), ("c2", Campaign("s2")), ("c3", Campaign("s1", ",\"caps\":[{\"count\":1,\"per\":\"week\"}]"))]);
        harness.Produce("racer", TestEvents.Purchase("p0", "racer", 10m));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(engine, 4);

        // When forty more triggers for the same user arrive at once, from both segments
        var now = DateTimeOffset.UtcNow;
        var racing = Enumerable.Range(0, 40).Select(i => engine.Offers.Ledgers.Ask<OffersDecided>(new DecideOffers("racer",
            new TriggerCause(TriggerKind.SegmentEntered, i % 2 == 0 ? "s1" : "s2", $"race-{i}", now)), TimeSpan.FromSeconds(20)));
        await Task.WhenAll(racing);

        // Then the user was sent two offers in all, and every other decision names the cap that stopped it
        var decisions = (await DecisionsAsync(engine, "racer")).Decisions;
        var sent = await DecisionsAsync(engine, "racer");
        Assert.Equal(2, sent.Sent.Count);
        Assert.Contains(decisions, d => d.Outcome == DecisionOutcome.Capped && d.Reason.StartsWith("global cap 2/day reached", StringComparison.Ordinal));
        await Eventually.True(() => subscriber.Ids.Distinct().Count() == 2, Patience, "the two offers");
    }

    private static string UserOf(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("user_id").GetString()!;
}
