using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Cli.Tests.Support;

namespace DmpActors.Cli.Tests;

/// <summary><c>dmpctl items import</c> stores a catalogue from JSON lines or CSV, with progress and a summary.</summary>
public sealed class ItemsImportTests : IAsyncLifetime
{
    private LiveNode _node = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("dmp-items-").FullName;

    public async Task InitializeAsync() => _node = await LiveNode.StartFirstAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<JsonElement> ItemAsync(string id)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_node.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", LiveNode.AdminKey);
        return await http.GetFromJsonAsync<JsonElement>($"/v1/items/{id}");
    }

    [Fact]
    public async Task Json_lines_are_stored_and_unreadable_lines_are_named_in_the_summary()
    {
        var path = Path.Combine(_dir, "items.jsonl");
        await File.WriteAllLinesAsync(path,
        [
            """{"id":"sku-1","title":"Trail shoe","category":"shoes","price":59.9,"tags":["running","trail"]}""",
            """{"id":"sku-2","title":"Old boot","category":"shoes","available":false}""",
            "not json",
        ]);

        var (exitCode, output, _) = await CliRunner.RunAsync(_node.Dmpctl("items", "import", path));

        Assert.Equal(1, exitCode); // a line was refused
        Assert.Contains("2/2 items stored", output);
        Assert.Contains("Imported 2 items from items.jsonl", output);
        Assert.Contains("1 lines refused", output);
        Assert.Contains("line 3:", output);
        var shoe = await ItemAsync("sku-1");
        Assert.Equal(["running", "trail"], shoe.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False((await ItemAsync("sku-2")).GetProperty("available").GetBoolean());
    }

    [Fact]
    public async Task Csv_columns_map_by_header_with_pipe_separated_tags()
    {
        var path = Path.Combine(_dir, "items.csv");
        await File.WriteAllLinesAsync(path,
        [
            "id,title,category,price,tags,available",
            "sku-10,\"Kettle, electric\",kitchen,19.5,home|tea,true",
            "sku-11,Pan,kitchen,,,0",
        ]);

        var (exitCode, output, error) = await CliRunner.RunAsync(_node.Dmpctl("items", "import", path));

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("Imported 2 items", output);
        var kettle = await ItemAsync("sku-10");
        Assert.Equal("Kettle, electric", kettle.GetProperty("title").GetString());
        Assert.Equal(19.5m, kettle.GetProperty("price").GetDecimal());
        Assert.Equal(["home", "tea"], kettle.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False((await ItemAsync("sku-11")).GetProperty("available").GetBoolean());
    }
}
