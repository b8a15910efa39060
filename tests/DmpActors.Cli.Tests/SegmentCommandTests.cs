using System.CommandLine;
using System.Text.Json;
using DmpActors.Cli.Tests.Support;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Storage;
using DmpActors.Host.Runtime;
using DmpActors.Host.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Cli.Tests;

/// <summary>dmpctl segment members and segment backfill against a live node.</summary>
public sealed class SegmentCommandTests
{
    private static DmpRuntime Runtime(LiveNode node) => node.Services.GetRequiredService<DmpRuntime>();

    /// <summary>A stored row as an entity would write it: a profile whose country is GB, unless <paramref name="country"/>
    /// says otherwise (so re-evaluating it keeps the member list it was saved with).</summary>
    private static byte[] Stored(string id, string country = "GB") => DmpActors.Engine.Serialization.ProfileCodec.Encode(
        DmpActors.Domain.Profiles.UserProfile.Empty(id) with { Traits = new Dictionary<string, string> { ["country"] = country } });

    private static void Define(LiveNode node, long revision) =>
        Runtime(node).Engine.Segments.Publish(SegmentSet.Build(revision, [new SegmentVersion("gb", 1, "trait.country == \"GB\"", false, Events.Base)]));

    [Fact]
    public async Task Segment_members_lists_the_ids_or_exports_csv_and_json_lines_to_a_file()
    {
        // Given a node on which 12,001 stored users are in segment gb (more than one page of the API)
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        Define(cluster[0], 1);
        var ids = Enumerable.Range(0, 12_001).Select(i => $"m-{i:D5}").ToList();
        await Runtime(cluster[0]).Engine.Store.SaveAsync(ids.Select(id => new StoredProfile(id, Stored(id), 1) { Segments = ["gb"] }).ToList());
        using var dir = new TempDir();

        // When the members are listed, and exported as CSV and as JSON lines to files
        var listed = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "members", "gb"));
        var csv = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "members", "gb", "--format", "csv", "--out", Path.Combine(dir.Path, "gb.csv")));
        var jsonl = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "members", "gb", "--format", "jsonl", "--out", Path.Combine(dir.Path, "gb.jsonl")));
        var unknown = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "members", "nobody"));

        // Then each holds every member once, in id order
        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Equal(ids, LiveCluster.Lines(listed.Output));
        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Contains("Wrote 12001 members of gb", csv.Output);
        Assert.Equal(["user_id", .. ids], File.ReadAllLines(Path.Combine(dir.Path, "gb.csv")));
        Assert.True(jsonl.ExitCode == 0, jsonl.Error);
        Assert.Equal(ids, File.ReadAllLines(Path.Combine(dir.Path, "gb.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("user_id").GetString()));
        Assert.Equal(Admin.AdminClient.ExitFailed, unknown.ExitCode);
        Assert.Contains("Unknown segment", unknown.Error);
    }

    [Fact]
    public async Task Segment_backfill_prints_a_progress_line_until_the_walk_completes()
    {
        // Given a node with stored users and no segment set yet
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        await Runtime(cluster[0]).Engine.Store.SaveAsync(Enumerable.Range(0, 20).Select(i => new StoredProfile($"b-{i:D2}", Stored($"b-{i:D2}"), 1)).ToList());
        var idle = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "backfill", "--once"));

        // When a set is published and the progress followed
        Define(cluster[0], 1);
        var followed = await CliRunner.RunAsync(cluster[0].Dmpctl("segment", "backfill"));

        // Then it was idle before, and the last line is the completed walk over the 20
        Assert.True(idle.ExitCode == 0, idle.Error);
        Assert.StartsWith("idle", idle.Output);
        Assert.True(followed.ExitCode == 0, followed.Error);
        var last = LiveCluster.Lines(followed.Output)[^1];
        Assert.Matches(@"^revision 1 \| completed \| 20/20 \(100\.0 %\) \| [0-9.]+ users/s \| \d+ changes \| \d+ failed \| started \d{4}-\d\d-\d\dT", last);
    }

    [Fact]
    public void Palettes_that_share_a_name_show_the_commands_of_both()
    {
        var definitions = new Command("segment", "Segments: list, show") { new Command("list"), new Command("show") };
        var audience = new Command("segment", "Segments: members") { new Command("members") };
        audience.Options.Add(Admin.NodeConnection.Host);

        var root = Program.Joined(new RootCommand(), [definitions, new Command("profile"), audience]);

        var segment = Assert.Single(root.Subcommands, c => c.Name == "segment");
        Assert.Equal(["list", "show", "members"], segment.Subcommands.Select(c => c.Name));
        Assert.Contains(Admin.NodeConnection.Host, segment.Options);
        Assert.Equal(["segment", "profile"], root.Subcommands.Select(c => c.Name));
        Assert.Equal(0, root.Parse("segment members").Errors.Count);
    }
}
