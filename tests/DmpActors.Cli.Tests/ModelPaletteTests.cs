using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;
using DmpActors.Host.Tests;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl model against a live node whose entities sample real shoppers: retrain, list, show, promote, rollback.</summary>
public sealed class ModelPaletteTests
{
    [Fact]
    public async Task Models_are_retrained_with_a_progress_line_listed_shown_promoted_and_rolled_back_in_table_style()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        var node = cluster[0];
        using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", LiveNode.AdminKey);
        (await http.PostAsync("/v1/events", Events.Batch(ShopperEvents.Day(45, 0)))).EnsureSuccessStatusCode();
        await Wait.Until(async () => (await http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("samples").GetProperty("kept").GetInt32() >= 45,
            TimeSpan.FromSeconds(60), "45 samples in the coordinator's reservoir");

        var before = await CliRunner.RunAsync(node.Dmpctl("model", "list"));
        var first = await CliRunner.RunAsync(node.Dmpctl("model", "retrain", "behaviour"));
        var second = await CliRunner.RunAsync(node.Dmpctl("model", "retrain", "behaviour", "--shadow"));
        var refused = await CliRunner.RunAsync(node.Dmpctl("model", "retrain", "churn"));
        var list = await CliRunner.RunAsync(node.Dmpctl("model", "list"));
        var show = await CliRunner.RunAsync(node.Dmpctl("model", "show", "behaviour"));

        Assert.True(before.ExitCode == 0, before.Error);
        Assert.Matches(@"^behaviour\s+\| clusters\s+\| -\s+\| -\s+\| 0\s+\| -", LiveCluster.Lines(before.Output)[1]);
        Assert.True(first.ExitCode == 0, first.Error);
        var firstLines = LiveCluster.Lines(first.Output);
        Assert.Equal("Training behaviour (run 1): 45 samples, 0 labelled rows", firstLines[0]);
        Assert.Matches(@"^Trained: behaviour v1 \(active\) in \d+(\.\d+)? ms$", firstLines[^1]);
        Assert.All(firstLines[1..^1], l => Assert.Matches(@"^run 1 \| running \| \d+\.\d s \| 45 samples \| 0 labelled rows$", l));
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Matches(@"^Trained: behaviour v2 \(shadow\) in", LiveCluster.Lines(second.Output)[^1]);
        Assert.Equal(AdminClient.ExitFailed, refused.ExitCode);
        Assert.Contains("Not enough data to train: churn: 0 labelled rows", refused.Error);

        var rows = LiveCluster.Lines(list.Output);
        Assert.Matches(@"^NAME\s+\| KIND\s+\| ACTIVE \| SHADOW \| VERSIONS \| TRAINED\s+\| METRICS$", rows[0]);
        Assert.Matches(@"^behaviour\s+\| clusters\s+\| v1\s+\| v2\s+\| 2\s+\| \S+\s+\| k=\d silhouette=", rows[1]);
        Assert.Matches(@"^Count: 6 models \(revision 2\) \| samples 45 kept of 45 seen, 0 labelled \| training idle$", rows[^1]);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("shadow | v2", show.Output);
        var versions = LiveCluster.Lines(show.Output).SkipWhile(l => l != "Versions:").Skip(1).ToList();
        Assert.Matches(@"^VERSION \| STATUS\s+\| TRAINED\s+\| ROWS \| DURATION\s+\| SCORED \| DISAGREEMENT \| METRICS$", versions[0]);
        Assert.Matches(@"^v1\s+\| active\s+\| \S+\s+\| 45\s+\| \S+ ms\s*\| 0\s+\| -\s+\| k=", versions[1]);
        Assert.Matches(@"^v2\s+\| shadow\s+\| ", versions[2]);

        var promoted = await CliRunner.RunAsync(node.Dmpctl("model", "promote", "behaviour", "v2"));
        var again = await CliRunner.RunAsync(node.Dmpctl("model", "promote", "behaviour", "2"));
        var rolledBack = await CliRunner.RunAsync(node.Dmpctl("model", "rollback", "behaviour"));
        var nothingOlder = await CliRunner.RunAsync(node.Dmpctl("model", "rollback", "behaviour"));
        var unknown = await CliRunner.RunAsync(node.Dmpctl("model", "show", "nope"));

        Assert.Equal("Promoted: behaviour v2 is active", promoted.Output.Trim());
        Assert.Equal(AdminClient.ExitFailed, again.ExitCode);
        Assert.Contains("Model command refused: behaviour v2 is already active", again.Error);
        Assert.Equal("Rolled back: behaviour v1 is active", rolledBack.Output.Trim());
        Assert.Contains("behaviour has no earlier version to roll back to", nothingOlder.Error);
        Assert.Contains("Unknown model: no model 'nope'", unknown.Error);
    }
}
