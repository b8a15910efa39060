using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Hosting;

/// <summary>Dmp:Storage:Provider=memory end to end: a demo node ingests and checkpoints into memory.</summary>
public sealed class MemoryStoreEngineTests
{
    [Fact]
    public async Task A_node_on_the_memory_store_checkpoints_what_it_ingests_into_memory_and_writes_no_file()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(harness.Options(o => o.Storage.Provider = "memory"));

        for (var i = 0; i < 3; i++) harness.Produce("demo-user", TestEvents.PageView($"d{i}", "demo-user", i));
        harness.Flush();
        await harness.WaitUntilCommittedToEndAsync(engine, partitions: 4);

        Assert.IsType<InMemoryProfileStore>(engine.Store);
        Assert.Equal(3, ProfileCodec.Decode((await engine.Store.LoadAsync(["demo-user"]))["demo-user"].State).EventsApplied);
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.DataDirectory));
    }
}
