using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>Ingest:PassivateAfter end to end: the shard stops idle users, which save first. What a stopped entity saves
/// and its next life loads is in <see cref="UserEntityTests"/>.</summary>
public sealed class IdlePassivationTests
{
    [Fact]
    public async Task An_idle_user_with_unsaved_events_is_stopped_by_its_shard_after_PassivateAfter_and_saved_first()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Ingest.Enabled = false;
            o.Ingest.PassivateAfter = TimeSpan.FromSeconds(1);
        }));

        // Given events applied in memory only (no ingest, so no checkpoint will ever save them)
        for (var i = 0; i < 3; i++)
        {
            var e = EventParser.ParseAccepted(TestEvents.PageView($"p{i}", "idle-user")).Event!;
            var applied = await engine.Users.Ask<EventApplied>(new ApplyEvent("idle-user", e, new EventPosition(0, i, 1), i), TimeSpan.FromSeconds(10));
            Assert.Equal(ApplyOutcome.Applied, applied.Outcome);
        }
        Assert.Empty(await engine.Store.LoadAsync(["idle-user"]));

        // When the user stays idle past PassivateAfter, Then the shard stops it and it saves first
        await Eventually.True(async () => (await engine.Store.LoadAsync(["idle-user"])).Count == 1, TimeSpan.FromSeconds(30), "the idle user to be saved");
        Assert.Equal(3, ProfileCodec.Decode((await engine.Store.LoadAsync(["idle-user"]))["idle-user"].State).EventsApplied);
    }
}
