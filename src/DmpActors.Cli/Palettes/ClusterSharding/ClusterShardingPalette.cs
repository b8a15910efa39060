using System.CommandLine;
using DmpActors.Cli.Admin;

namespace DmpActors.Cli.Palettes.ClusterSharding;

/// <summary>The <c>cluster-sharding</c> palette (pbm's names): shard regions and where their shards and entities are.</summary>
public static class ClusterShardingPalette
{
    private static readonly Option<string> Region = new("--region", "-r")
    {
        Description = "Entity type (shard region), e.g. user; `cluster-sharding regions` lists them",
        Required = true,
        HelpName = "type",
    };

    public static Command Create() => new Command("cluster-sharding", "Cluster.Sharding: regions, region-stats, shard-stats")
    {
        new Command("regions", "Entity types with a shard region on the connected node").Calls(Regions),
        new Command("region-stats", "The connected node's shards of an entity type, with live entities per shard") { Region }.Calls(RegionStats),
        new Command("shard-stats", "Every node's shards of an entity type, with live entities per shard") { Region }.Calls(ShardStats),
    }.WithConnection();

    private static async Task<int> Regions(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var regions = await node.GetAsync<RegionsView>("admin/v1/sharding/regions", ct);
        foreach (var region in regions.Regions) await output.WriteLineAsync(region);
        return 0;
    }

    private static async Task<int> RegionStats(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var type = parseResult.GetValue(Region)!;
        var stats = await node.GetAsync<RegionStats>($"admin/v1/sharding/regions/{Uri.EscapeDataString(type)}/stats", ct);
        await WriteRegionsAsync([stats], output, includeAddress: false);
        return 0;
    }

    private static async Task<int> ShardStats(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var type = parseResult.GetValue(Region)!;
        var regions = await node.GetAsync<List<RegionStats>>($"admin/v1/sharding/regions/{Uri.EscapeDataString(type)}/shards", ct);
        await WriteRegionsAsync(regions, output, includeAddress: true);
        return 0;
    }

    private static async Task WriteRegionsAsync(IReadOnlyList<RegionStats> regions, TextWriter output, bool includeAddress)
    {
        IReadOnlyList<string> Header() => includeAddress ? ["Address", "ShardId", "Entities"] : ["ShardId", "Entities"];
        IReadOnlyList<string> Row(RegionStats r, ShardStats s) => includeAddress ? [r.Address, s.ShardId, $"{s.Entities}"] : [s.ShardId, $"{s.Entities}"];
        var rows = regions.SelectMany(r => r.Shards.Select(s => Row(r, s))).ToList();
        if (rows.Count > 0) await output.WriteLineAsync(Table.Format([Header(), .. rows]));
        var entities = regions.Sum(r => r.Shards.Sum(s => s.Entities));
        var prefix = includeAddress ? $"Regions: {regions.Count}, shards" : "Shards";
        await output.WriteLineAsync($"{prefix}: {rows.Count}, entities: {entities}");
        foreach (var failed in regions.SelectMany(r => r.FailedShards.Select(f => (r.Address, f))))
            await output.WriteLineAsync($"Did not answer in time: shard {failed.f} on {failed.Address}");
    }
}
