using Akka.TestKit.Xunit2;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Profiles;

/// <summary>The writer's order of store transactions, on the in-memory store.</summary>
public sealed class ProfileWriterTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_merge_waits_for_the_queued_save_of_its_absorbed_id_so_that_save_is_not_refused_as_stale()
    {
        var store = new InMemoryProfileStore();
        var writer = Sys.ActorOf(ProfileWriter.Props(store));
        var anonymous = CreateTestProbe("anonymous");
        var survivor = CreateTestProbe("survivor");

        // Given the anonymous entity's first checkpoint save queued (it knows no row: base version 0)
        writer.Tell(new SaveProfile("anon-1", [1], 3, 0, anonymous.Ref), anonymous.Ref);

        // When a merge absorbing it is written before that save has gone to the store
        var merge = new StoredMerge("m-1", "user-1", "anon-1", DateTimeOffset.UnixEpoch, "e-1", [9]);
        writer.Tell(new WriteMerge("lock-1", new StoredProfile("user-1", [2], 5), new StoredProfile("anon-1", [3], 4), merge), survivor.Ref);

        // Then the save is written first, and the merge's rows over it
        Assert.Equal(3, (await anonymous.ExpectMsgAsync<ProfileSaved>(Patience)).Version);
        Assert.Equal("lock-1", (await survivor.ExpectMsgAsync<MergeWritten>(Patience)).LockId);
        var stored = await store.LoadAsync(["anon-1", "user-1"]);
        Assert.Equal((4L, 5L), (stored["anon-1"].Version, stored["user-1"].Version));
    }
}
