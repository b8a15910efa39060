using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Domain.Segments;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

/// <summary>GET /v1/segments/backfill on a node whose singleton walks the stored users when a set is published.</summary>
public sealed class SegmentBackfillApiTests : IDisposable
{
    private readonly DmpHostFactory _factory = new(new Dictionary<string, string?> { ["Dmp:Backfill:EvaluationTimeout"] = "00:00:05" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Progress_is_idle_until_a_set_is_published_then_walks_every_stored_user_to_completion()
    {
        // Given a node with three stored profiles
        var http = _factory.CreateClient();
        (await http.PostAsync("/v1/events", Events.Batch(new[] { "a", "b", "c" }.Select(u => Events.PageView("e-" + u, u))))).EnsureSuccessStatusCode();
        var runtime = _factory.Services.GetRequiredService<DmpRuntime>();
        await Wait.Until(async () => await runtime.Engine.Store.CountAsync() == 3, TimeSpan.FromSeconds(30), "three stored profiles");
        await Wait.Until(async () => (await http.GetFromJsonAsync<JsonElement>("/v1/segments/backfill")).GetProperty("state").GetString() == "idle",
            TimeSpan.FromSeconds(30), "the backfill singleton to answer");

        // When a segment set is published
        runtime.Engine.Segments.Publish(SegmentSet.Build(1, [new SegmentVersion("gb", 1, "trait.country == \"GB\"", false, Events.Base)]));

        // Then the walk covers the three and completes
        JsonElement progress = default;
        await Wait.Until(async () => (progress = await http.GetFromJsonAsync<JsonElement>("/v1/segments/backfill")).GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(30), "the backfill to complete");
        Assert.Equal(1, progress.GetProperty("revision").GetInt64());
        Assert.Equal(3, progress.GetProperty("done").GetInt64());
        Assert.Equal(3, progress.GetProperty("total").GetInt64());
        Assert.True(progress.TryGetProperty("started_at", out _));
        Assert.True(progress.TryGetProperty("users_per_second", out _));
    }
}
