using DmpActors.Engine.Admin;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Engine.Tests.Hosting;

public sealed class DmpOptionsTests
{
    [Fact]
    public async Task Two_bad_settings_in_different_sections_stop_the_engine_with_both_in_one_message()
    {
        // Given options with a bad ingest bound and a bad shard count
        var options = new DmpOptions { Ingest = { MaxInFlightBytes = 0 }, Cluster = { Shards = 0 } };

        // When the engine starts
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DmpEngine.StartAsync(options, "127.0.0.1:9092", freshLog: true, NullLoggerFactory.Instance));

        // Then it refuses before anything runs, naming both keys in the one message
        Assert.Equal(["Dmp:Cluster:Shards: must be 1..10000, got 0", "Dmp:Ingest:MaxInFlightBytes: must be at least 65536, got 0"], refused.Errors);
        Assert.Contains("Dmp:Cluster:Shards: must be 1..10000, got 0", refused.Message);
        Assert.Contains("Dmp:Ingest:MaxInFlightBytes: must be at least 65536, got 0", refused.Message);
    }

    [Fact]
    public void Nested_sections_report_their_problems_under_their_full_keys()
    {
        var options = new DmpOptions
        {
            Admin = { ApiKey = "short" },
            Security = { RateLimits = { UserEventsBurst = 0 }, Keys = [new ApiKeyOptions { Name = "collector", Hash = "abc", Roles = ["ingest"] }] },
        };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Dmp:Admin:ApiKey: must be at least 16 characters", errors[0]);
        Assert.StartsWith("Dmp:Security:Keys:0:Hash: must be the key's SHA-256", errors[1]);
        Assert.Equal("Dmp:Security:RateLimits:UserEventsBurst: must be at least 1, got 0", errors[2]);
    }

    [Fact]
    public async Task With_default_allocation_the_user_shard_region_hashes_ids_into_Dmp_Cluster_Shards_shards()
    {
        // Given an engine configured with three shards, not aligned with the topic's one partition
        await using var harness = new EngineHarness(partitions: 1);
        await using var engine = await harness.StartEngineAsync(harness.Options(o =>
        {
            o.Cluster.Shards = 3;
            o.Sharding.Allocation = ShardingOptions.Default;
        }));

        // When forty users are asked for (each ask starts the user's entity)
        foreach (var i in Enumerable.Range(0, 40))
            await engine.GetProfileAsync($"user-{i}", TimeSpan.FromSeconds(10));

        // Then every entity lives in one of the three shards
        var stats = await new ClusterAdmin(engine.System).RegionStatsAsync(DmpEngine.UserTypeName, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.NotNull(stats);
        Assert.Equal(40, stats.Shards.Sum(s => s.Entities));
        Assert.All(stats.Shards, s => Assert.Contains(s.ShardId, new[] { "0", "1", "2" }));
    }
}
