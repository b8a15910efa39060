using System.Text.Json;
using DmpActors.Dashboard.Tests.Support;

namespace DmpActors.Dashboard.Tests;

/// <summary>GET /v1/stream/dashboard read as any API client would: history first, then a sample a second.</summary>
public sealed class DashboardStreamTests(DemoNode node) : IClassFixture<DemoNode>
{
    [Fact]
    public async Task The_stream_sends_its_history_then_live_samples_whose_totals_grow_with_the_demo_traffic()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await node.Host.Http.GetAsync("/v1/stream/dashboard", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var events = new List<(string Name, JsonElement Data)>();
        string? name = null;
        while (events.Count < 4 && await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
        }

        Assert.Equal(["history", "sample", "sample", "sample"], events.Select(e => e.Name));
        Assert.Equal(JsonValueKind.Array, events[0].Data.ValueKind);
        var first = events[1].Data;
        var last = events[3].Data;
        Assert.True(last.GetProperty("consumed_total").GetInt64() > first.GetProperty("consumed_total").GetInt64(), "consumed_total did not grow over two seconds of demo traffic");
        Assert.True(DateTimeOffset.Parse(last.GetProperty("at").GetString()!) > DateTimeOffset.Parse(first.GetProperty("at").GetString()!));
        Assert.Equal(6, last.GetProperty("lag").GetArrayLength());
        var cluster = last.GetProperty("cluster");
        Assert.Equal(cluster.GetProperty("self").GetString(), cluster.GetProperty("singleton_node").GetString());
        Assert.Equal("up", cluster.GetProperty("nodes")[0].GetProperty("status").GetString());
        Assert.True(last.GetProperty("checkpoint").GetProperty("completed").GetInt64() > 0);
    }
}
