using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl campaign against a live node: put from a file, list, show with history, pause, resume, delete.</summary>
public sealed class CampaignPaletteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dmpctl-campaigns-").FullName;

    private string DefinitionFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Campaigns_are_put_listed_shown_paused_resumed_and_deleted_in_table_style_and_bad_fields_are_named()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        var node = cluster[0];
        var welcome = DefinitionFile("welcome.json", """
            {"name":"Welcome offer","trigger":{"kind":"segment_entered","target":"new_users"},
             "variants":[{"id":"ten","payload":{"offer_id":"welcome-10"}},{"id":"free-ship","payload":{"offer_id":"ship-0"}}],"budget":1000}
            """);
        var bad = DefinitionFile("bad.json", """{"name":"x","trigger":{"kind":"segment_entered","target":"a"},"variants":[],"holdout_percent":-1}""");

        var created = await CliRunner.RunAsync(node.Dmpctl("campaign", "put", "welcome", "--file", welcome));
        var paused = await CliRunner.RunAsync(node.Dmpctl("campaign", "pause", "welcome"));
        var list = await CliRunner.RunAsync(node.Dmpctl("campaign", "list"));
        var resumed = await CliRunner.RunAsync(node.Dmpctl("campaign", "resume", "welcome"));
        var show = await CliRunner.RunAsync(node.Dmpctl("campaign", "show", "welcome"));
        var refused = await CliRunner.RunAsync(node.Dmpctl("campaign", "put", "broken", "-f", bad));

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal("Created: welcome v1 (active) segment_entered new_users", created.Output.Trim());
        Assert.Equal("Updated: welcome v2 (paused) segment_entered new_users", paused.Output.Trim());
        var lines = LiveCluster.Lines(list.Output);
        Assert.Matches(@"^ID\s+\| VERSION \| STATE\s+\| TRIGGER\s+\| VARIANTS\s+\| BUDGET \| NAME$", lines[0]);
        Assert.Matches(@"^welcome \| v2\s+\| paused \| segment_entered new_users \| ten,free-ship \| 1000\s+\| Welcome offer$", lines[1]);
        Assert.Equal("Count: 1 campaign (catalogue revision 2)", lines[2]);
        Assert.Equal("Updated: welcome v3 (active) segment_entered new_users", resumed.Output.Trim());
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("trigger         | segment_entered new_users", show.Output);
        Assert.Equal(3, LiveCluster.Lines(show.Output).SkipWhile(l => l != "History:").Skip(2).Count());
        Assert.Equal(AdminClient.ExitFailed, refused.ExitCode);
        Assert.Contains("variants: at least one variant", refused.Error);
        Assert.Contains("holdout_percent: between 0 and 100", refused.Error);

        var stats = await CliRunner.RunAsync(node.Dmpctl("campaign", "stats", "welcome"));
        Assert.True(stats.ExitCode == 0, stats.Error);
        var statLines = LiveCluster.Lines(stats.Output);
        Assert.Matches(@"^VARIANT\s+\| OFFERS \| SHARE$", statLines[0]);
        Assert.Matches(@"^ten\s+\| 0\s+\| 0[.,]0\s?%$", statLines[1]);
        Assert.StartsWith("free-ship", statLines[2]);
        Assert.Equal("Offers: 0, budget 1000, left 1000", statLines[3]);

        var deleted = await CliRunner.RunAsync(node.Dmpctl("campaign", "delete", "welcome"));
        var gone = await CliRunner.RunAsync(node.Dmpctl("campaign", "show", "welcome"));
        Assert.Equal("Deleted: welcome (tombstone v4)", deleted.Output.Trim());
        Assert.Contains("Unknown campaign: campaign 'welcome' was deleted (version 4)", gone.Error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
