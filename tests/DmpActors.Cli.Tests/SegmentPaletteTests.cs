using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl segment against a live node: put from files, list, show with history, delete.</summary>
public sealed class SegmentPaletteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dmpctl-segments-").FullName;

    private string RuleFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Segments_are_put_from_files_listed_shown_with_history_and_deleted_in_table_style()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        var node = cluster[0];
        var text = RuleFile("buyers.rule", "window.purchases.30d >= 2\n");
        var changed = RuleFile("buyers-3.rule", "window.purchases.30d >= 3");
        var json = RuleFile("shoes.json", """{"rule": {"op": ">", "field": "affinity.category", "args": ["shoes"], "value": 0.4}, "shadow": true}""");

        var created = await CliRunner.RunAsync(node.Dmpctl("segment", "put", "buyers_30d", "--file", text));
        var unchanged = await CliRunner.RunAsync(node.Dmpctl("segment", "put", "buyers_30d", "--file", text));
        var updated = await CliRunner.RunAsync(node.Dmpctl("segment", "put", "buyers_30d", "-f", changed, "--shadow"));
        var shoes = await CliRunner.RunAsync(node.Dmpctl("segment", "put", "shoes_fans", "--file", json));
        var list = await CliRunner.RunAsync(node.Dmpctl("segment", "list"));
        var show = await CliRunner.RunAsync(node.Dmpctl("segment", "show", "buyers_30d"));

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal("Created: buyers_30d v1 (live) window.purchases.30d >= 2", created.Output.Trim());
        Assert.Equal("Unchanged: buyers_30d v1 (live) window.purchases.30d >= 2", unchanged.Output.Trim());
        Assert.Equal("Updated: buyers_30d v2 (shadow) window.purchases.30d >= 3", updated.Output.Trim());
        Assert.Equal("Created: shoes_fans v1 (shadow) affinity.category(\"shoes\") > 0.4", shoes.Output.Trim());
        var lines = LiveCluster.Lines(list.Output);
        Assert.Matches(@"^ID\s+\| VERSION \| MODE\s+\| DEFINED\s+\| RULE$", lines[0]);
        Assert.Matches(@"^buyers_30d \| v2\s+\| shadow \| \S+\s+\| window.purchases.30d >= 3$", lines[1]);
        Assert.StartsWith("shoes_fans | v1", lines[2]);
        Assert.Equal("Count: 2 segments (catalogue revision 3)", lines[3]);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("rule       | window.purchases.30d >= 3", show.Output);
        var history = LiveCluster.Lines(show.Output).SkipWhile(l => l != "History:").Skip(1).ToList();
        Assert.Matches(@"^VERSION \| DEFINED\s+\| MODE\s+\| RULE$", history[0]);
        Assert.Matches(@"^v1\s+\| \S+\s+\| live\s+\| window.purchases.30d >= 2$", history[1]);
        Assert.Matches(@"^v2\s+\| \S+\s+\| shadow \| window.purchases.30d >= 3$", history[2]);

        var deleted = await CliRunner.RunAsync(node.Dmpctl("segment", "delete", "buyers_30d"));
        var gone = await CliRunner.RunAsync(node.Dmpctl("segment", "show", "buyers_30d"));
        Assert.Equal("Deleted: buyers_30d (tombstone v3)", deleted.Output.Trim());
        Assert.Equal(AdminClient.ExitFailed, gone.ExitCode);
        Assert.Contains("Unknown segment: segment 'buyers_30d' was deleted (version 3)", gone.Error);
    }

    [Fact]
    public async Task A_rule_file_that_does_not_parse_fails_with_the_line_and_column()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        var bad = RuleFile("bad.rule", "orders >= 1 and\n  windw.purchases.30d >= 2");

        var put = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "put", "bad_rule", "--file", bad));
        var missing = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "put", "bad_rule", "--file", Path.Combine(_dir, "nope.rule")));
        var empty = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "list"));

        Assert.Equal(AdminClient.ExitFailed, put.ExitCode);
        Assert.Contains("Rule refused: line 2, column 3: unknown field 'windw.purchases.30d'", put.Error);
        Assert.Equal(AdminClient.ExitFailed, missing.ExitCode);
        Assert.Contains("cannot read nope.rule", missing.Error);
        Assert.Equal("Count: 0 segments (catalogue revision 0)", empty.Output.Trim());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
