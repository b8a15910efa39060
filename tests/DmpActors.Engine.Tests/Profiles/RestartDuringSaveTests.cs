using Akka.TestKit.Xunit2;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Tests.Support;
using static DmpActors.Engine.Tests.Support.TestEvents;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>
/// An entity that restarts (a merge abandoned by its coordinator, a failed protocol step) while the writer still holds
/// its previous life's save: the next life must build on what the store ends up holding, not on the row as it was
/// before that save landed. On the in-memory store, whose held saves stand in for a slow transaction.
/// </summary>
public sealed class RestartDuringSaveTests() : TestKit(UserEntityHarness.Config)
{
    [Fact]
    public async Task A_life_that_starts_while_its_predecessors_save_is_queued_loads_after_it_and_its_own_saves_are_not_refused()
    {
        var user = new UserEntityHarness(this, "dana");
        var first = await user.ApplyAsync(ParsedPageView("d0", "dana"), new EventPosition(0, 0, 1));
        Assert.True((await user.FlushAsync(first, checkpointId: 1)).Succeeded);

        // Given the save of a second event held in the store (a slow transaction)
        var hold = user.Store.HoldSaves();
        var second = await user.ApplyAsync(ParsedPageView("d1", "dana", 1), new EventPosition(0, 1, 1));
        var heldFlush = user.FlushAsync(second, checkpointId: 2);
        await hold.Reached;

        // When the entity restarts meanwhile: locked by a merge whose coordinator gives up and asks it to reload
        var coordinator = CreateTestProbe("coordinator");
        user.Entity.Tell(new LockForMerge("dana", "lock-1", "erin"), coordinator.Ref);
        await coordinator.ExpectMsgAsync<EntityLocked>(UserEntityHarness.Patience);
        user.Entity.Tell(new ReleaseLock("dana", "lock-1", Reload: true), coordinator.Ref);
        await Task.Delay(200); // the next life has asked for its row by now; it must not get it before the held save lands
        hold.Dispose();

        // Then the next life holds both events, and what it applies next is saved over the held save's version
        var third = await user.ApplyAsync(ParsedPageView("d2", "dana", 2), new EventPosition(0, 2, 1));
        Assert.Equal(ApplyOutcome.Applied, third.Outcome);
        Assert.NotEqual(first.Incarnation, third.Incarnation);
        Assert.Equal(second.Version, third.LoadedVersion);
        var flushed = await user.FlushAsync(third, checkpointId: 3);
        Assert.True(flushed.Succeeded, flushed.Error);
        Assert.Equal(3, (await user.StoredAsync())!.EventsApplied);
        Assert.Equal(3, (await user.ReadAsync()).Profile!.EventsApplied);
        // And the first life's checkpoint is answered for what the store holds (its save landed)
        var vouched = await user.FlushAsync(second, checkpointId: 4);
        Assert.True(vouched.Succeeded, vouched.Error);
        _ = heldFlush; // asked of the life that restarted: it is never answered, and the ingest's checkpoint times out
    }
}
