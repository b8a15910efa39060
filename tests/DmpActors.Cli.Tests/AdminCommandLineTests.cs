using System.CommandLine;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Palettes.Profile;
using DmpActors.Host.Tests;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl's own behaviour, without a node: output layout, --host, key lookup, help, an unreachable node.</summary>
public sealed class AdminCommandLineTests
{
    [Fact]
    public void Tables_pad_every_column_but_the_last_and_separate_cells_with_pipes()
    {
        var text = Table.Format([["akka.tcp://dmp@10.0.0.1:4053", "[]", "up", "reachable"], ["akka.tcp://dmp@h:1", "[a,b]", "leaving", "unreachable"]]);

        Assert.Equal(
            "akka.tcp://dmp@10.0.0.1:4053 | []    | up      | reachable" + Environment.NewLine +
            "akka.tcp://dmp@h:1           | [a,b] | leaving | unreachable", text);
    }

    [Fact]
    public void Tables_leave_no_trailing_blanks_when_the_last_cell_is_empty_and_nothing_for_no_rows()
    {
        Assert.Equal("id      | alice" + Environment.NewLine + "consent |", Table.Format([["id", "alice"], ["consent", ""]]));
        Assert.Equal("", Table.Format([]));
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("node-2:9000", "http://node-2:9000/")]
    [InlineData("localhost", "http://localhost/")]
    [InlineData("http://10.0.0.5:8080", "http://10.0.0.5:8080/")]
    [InlineData("https://dmp.example.com/base", "https://dmp.example.com/base/")]
    public void Host_takes_host_and_port_or_a_url(string text, string expected)
    {
        Assert.Equal(new Uri(expected), NodeConnection.TryParseHost(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://x:21")]
    [InlineData("http://")]
    [InlineData("a b:80")]
    public void Host_rejects_what_is_not_an_http_address(string text)
    {
        Assert.Null(NodeConnection.TryParseHost(text));
    }

    [Fact]
    public async Task A_bad_host_is_a_usage_error_that_names_the_option()
    {
        var (exit, _, error) = await CliRunner.RunAsync("cluster", "show", "--host", "ftp://x:21");

        Assert.NotEqual(0, exit);
        Assert.Contains("--host expects host:port or an http(s) URL, got 'ftp://x:21'", error);
    }

    [Fact]
    public void The_host_defaults_to_the_embedded_nodes_address()
    {
        var parsed = Program.BuildRootCommand().Parse(["cluster", "show"]);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), parsed.GetValue(NodeConnection.Host));
    }

    [Fact]
    public void The_key_comes_from_the_option_then_the_environment_then_the_generated_key_file()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "admin.key");
        File.WriteAllText(file, "from-file\n");

        Assert.Equal("from-option", NodeConnection.FindKey("from-option", "from-env", file));
        Assert.Equal("from-env", NodeConnection.FindKey(null, "from-env", file));
        Assert.Equal("from-file", NodeConnection.FindKey(null, " ", file));
        Assert.Null(NodeConnection.FindKey(null, null, Path.Combine(dir.Path, "missing.key")));
    }

    [Theory]
    [InlineData("cluster", "show")]
    [InlineData("cluster", "status")]
    [InlineData("cluster", "leader")]
    [InlineData("cluster", "leave", "127.0.0.1:4053")]
    [InlineData("cluster", "down", "127.0.0.1:4053")]
    [InlineData("cluster", "down-unreachable")]
    [InlineData("cluster", "tail")]
    [InlineData("cluster-sharding", "regions")]
    [InlineData("cluster-sharding", "region-stats", "-r", "user")]
    [InlineData("cluster-sharding", "shard-stats", "-r", "user")]
    [InlineData("actor", "hierarchy", "-s", "/user", "-d", "1")]
    [InlineData("profile", "show", "alice")]
    [InlineData("profile", "export", "alice")]
    [InlineData("profile", "erase", "alice")]
    public async Task Every_node_command_fails_with_exit_2_and_one_line_when_nothing_listens(params string[] command)
    {
        var closed = $"127.0.0.1:{Ports.Free()}";

        var (exit, output, error) = await CliRunner.RunAsync([.. command, "--host", closed, "--api-key", "some-key"]);

        Assert.Equal(AdminClient.ExitUnreachable, exit);
        Assert.Equal("", output);
        Assert.Matches($@"^dmpctl: cannot reach the node at http://{closed}/ \(.+\); is it running\? \(--host host:port\)$", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Every_command_at_every_level_has_help()
    {
        var commands = new List<string[]>();
        void Collect(Command command, string[] path)
        {
            commands.Add(path);
            foreach (var sub in command.Subcommands) Collect(sub, [.. path, sub.Name]);
        }
        var root = Program.BuildRootCommand();
        Collect(root, []);

        Assert.Contains(commands, c => c.SequenceEqual(["cluster-sharding", "shard-stats"]));
        foreach (var path in commands)
        {
            var (exit, output, _) = await CliRunner.RunAsync([.. path, "--help"]);
            Assert.True(exit == 0, string.Join(" ", path));
            Assert.Contains("Usage:", output);
            var command = path.Aggregate((Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name));
            Assert.Contains(command.Description!, output);
        }
    }

    [Fact]
    public async Task Node_commands_document_host_and_api_key_in_their_help()
    {
        var (_, output, _) = await CliRunner.RunAsync("cluster", "leave", "--help");

        Assert.Contains("--host", output);
        Assert.Contains("--api-key", output);
        Assert.Contains("DMP_API_KEY", output);
        Assert.Contains("<address>", output);
    }

    [Fact]
    public async Task Region_stats_without_a_region_is_a_usage_error()
    {
        var (exit, _, error) = await CliRunner.RunAsync("cluster-sharding", "region-stats");

        Assert.NotEqual(0, exit);
        Assert.Contains("--region", error);
    }

    [Theory]
    [InlineData("\"alice\"", "alice")]
    [InlineData("3", "3")]
    [InlineData("null", "")]
    [InlineData("{\"page_view\": 2}", "{\"page_view\": 2}")]
    [InlineData("[\"a\",\"b\"]", "[\"a\",\"b\"]")]
    public void Profile_fields_are_scalars_as_text_and_structures_as_json_on_one_line(string json, string cell)
    {
        Assert.Equal(cell, ProfilePalette.Cell(JsonDocument.Parse(json).RootElement));
    }
}
