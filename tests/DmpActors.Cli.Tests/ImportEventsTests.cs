using System.Net;
using System.Text.Json;
using DmpActors.Cli.Tests.Support;

namespace DmpActors.Cli.Tests;

/// <summary><c>dmpctl import events</c> replays a user's own history from JSON lines or CSV through Kafka into profiles.</summary>
public sealed class ImportEventsTests : IAsyncLifetime
{
    private LiveNode _node = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("dmp-import-").FullName;

    public async Task InitializeAsync() => _node = await LiveNode.StartFirstAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Json_lines_are_sent_in_event_time_order_and_rejected_lines_are_named_with_their_reason()
    {
        var path = Path.Combine(_dir, "history.jsonl");
        await File.WriteAllLinesAsync(path,
        [
            """{"event_id":"j2","type":"purchase","user_id":"jl-1","timestamp":"2025-03-02T10:00:00Z","properties":{"order_id":"o-2","items":[{"item_id":"sku-2","price":5}]}}""",
            """{"event_id":"j1","type":"purchase","user_id":"jl-1","timestamp":"2025-03-01T10:00:00Z","properties":{"order_id":"o-1","items":[{"item_id":"sku-1","price":7}]}}""",
            "",
            """{"event_id":"j3","type":"purchase","user_id":"jl-1","timestamp":"2025-03-03T10:00:00Z","properties":{"order_id":"o-3","revenue":1e17}}""",
        ]);

        var (exitCode, output, error) = await CliRunner.RunAsync("import", "events", path, "--bootstrap", _node.BrokerAddress);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("line 4: out_of_range", error);
        Assert.Contains("imported 3 events read as 2 events (2 purchase)", output);
        Assert.Contains("skipped: 1 out_of_range", output);
        var profile = await ProfileAsync("jl-1", p => p.GetProperty("orders").GetInt32() == 2);
        Assert.Equal(12m, profile.GetProperty("total_revenue").GetDecimal());
        Assert.Equal("o-2", profile.GetProperty("last_purchase").GetProperty("order_id").GetString());
    }

    [Fact]
    public async Task Csv_rows_become_events_by_the_documented_column_mapping()
    {
        var path = Path.Combine(_dir, "crm.csv");
        await File.WriteAllLinesAsync(path,
        [
            "event_id,type,user_id,timestamp,trait.country,order_id,item_id,price,quantity",
            "c1,identify,csv-1,2025-01-01T09:00:00Z,GB,,,,",
            "c2,purchase,csv-1,2025-01-02T09:00:00Z,,o-9,sku-1,10.00,2",
            "c2,purchase,csv-1,2025-01-02T09:00:00Z,,o-9,sku-2,1.50,",
        ]);

        var (exitCode, output, error) = await CliRunner.RunAsync("import", "events", path, "--bootstrap", _node.BrokerAddress);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("as 2 events (1 identify, 1 purchase)", output);
        var profile = await ProfileAsync("csv-1", p => p.GetProperty("orders").GetInt32() == 1);
        Assert.Equal(21.50m, profile.GetProperty("total_revenue").GetDecimal());
        Assert.Equal("GB", profile.GetProperty("traits").GetProperty("country").GetString());
    }

    [Fact]
    public async Task A_missing_file_is_named_and_exits_1()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("import", "events", Path.Combine(_dir, "nope.jsonl"), "--bootstrap", _node.BrokerAddress);

        Assert.Equal(1, exitCode);
        Assert.Contains("no such file", error);
    }

    private async Task<JsonElement> ProfileAsync(string userId, Func<JsonElement, bool> ready)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_node.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", LiveNode.AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await http.GetAsync($"/v1/profiles/{userId}");
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
                var profile = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (ready(profile)) return profile;
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"profile {userId} not as expected within 60 s");
            await Task.Delay(200);
        }
    }
}
