using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Host.Demo;

namespace DmpActors.Host.Tests;

/// <summary>--demo defines its segments through the catalogue, so a newcomer finds them listed.</summary>
public sealed class DemoSegmentsTests
{
    [Fact]
    public async Task A_demo_node_lists_the_demo_segments_and_evaluates_them()
    {
        using var factory = new DmpHostFactory(new Dictionary<string, string?> { ["Dmp:Demo:Enabled"] = "true", ["Dmp:Demo:Rate"] = "20" });
        var http = factory.CreateClient();

        JsonElement list = default;
        await Wait.Until(async () =>
        {
            list = await http.GetFromJsonAsync<JsonElement>("/v1/segments");
            return list.GetProperty("segments").GetArrayLength() == DemoSegments.Definitions.Count;
        }, TimeSpan.FromSeconds(30), "the demo segments to be defined");

        Assert.Equal(DemoSegments.Definitions.Select(d => d.Id).Order(StringComparer.Ordinal),
            list.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.True(list.GetProperty("segments").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "big_spenders")
            .GetProperty("shadow").GetBoolean());
        var runtime = factory.Services.GetService(typeof(DmpActors.Host.Runtime.DmpRuntime)) as DmpActors.Host.Runtime.DmpRuntime;
        await Wait.Until(() => Task.FromResult(runtime!.Engine.Segments.Current.Segments.Count == DemoSegments.Definitions.Count),
            TimeSpan.FromSeconds(30), "the node's segment set to hold the demo segments");
    }
}
