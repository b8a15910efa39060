using DmpActors.Engine.Hosting;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Hosting;

public sealed class StorageOptionsTests
{
    [Fact]
    public void The_memory_store_is_chosen_by_its_provider_and_says_it_is_not_durable()
    {
        var options = new DmpOptions { Storage = { Provider = "Memory" } };

        Assert.Empty(options.Validate());
        var store = Assert.IsType<InMemoryProfileStore>(ProfileStoreFactory.Create(options.Storage));
        Assert.Contains("not durable", store.Description);
    }

    [Theory]
    [InlineData(false, new string[0])]
    [InlineData(true, new[] { "akka.tcp://dmp@10.0.0.2:4053" })]
    public void The_memory_store_is_refused_beside_a_log_or_nodes_that_outlive_it(bool embeddedBroker, string[] seedNodes)
    {
        var options = new DmpOptions { Storage = { Provider = "memory" }, Kafka = { Embedded = embeddedBroker }, Node = { SeedNodes = seedNodes } };

        var error = Assert.Single(options.Validate(), e => e.StartsWith("Dmp:Storage:Provider:", StringComparison.Ordinal));

        Assert.Contains("single node with the embedded broker", error);
    }

    [Fact]
    public void An_unknown_provider_is_reported_with_the_ones_there_are()
    {
        var options = new DmpOptions { Storage = { Provider = "redis" } };

        Assert.Contains("Dmp:Storage:Provider: must be 'sqlite', 'postgresql' or 'memory', got 'redis'", options.Validate());
    }
}
