using DmpActors.Cli.Loadgen;
using DmpActors.Traffic.Population;

namespace DmpActors.Cli.Tests;

public class LoadgenGroundTruthTests
{
    [Fact]
    public async Task Loadgen_writes_the_ground_truth_of_the_traffic_it_sends()
    {
        await using var ingest = await CountingIngestEndpoint.StartAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"dmpctl-truth-{Guid.NewGuid():N}");
        var path = Path.Combine(dir, "truth.json");
        try
        {
            var (exitCode, _, error) = await CliRunner.RunAsync(
                "loadgen", "--http", ingest.Url, "--events", "500", "--rate", "0", "--users", "250", "--groups", "3",
                "--seed", "9", "--ground-truth", path);

            Assert.True(exitCode == 0, error);
            Assert.Contains("ground truth (3 groups, 250 users) written to", error);
            var truth = await TrafficGroundTruth.ReadAsync(path);
            Assert.Equal(9, truth.Seed);
            Assert.Equal(3, truth.Groups.Count);
            Assert.Equal(250, truth.Users.Count);
            Assert.Equal(500, ingest.EventIds.Count);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Groups_default_to_the_generators_and_can_be_set()
    {
        var defaults = LoadgenCommand.Bind(Program.BuildRootCommand().Parse(["loadgen"]));
        var seven = LoadgenCommand.Bind(Program.BuildRootCommand().Parse(["loadgen", "--groups", "7"]));

        Assert.Equal(new Traffic.TrafficOptions().Groups, defaults.Traffic.Groups);
        Assert.Null(defaults.GroundTruthPath);
        Assert.Equal(7, seven.Traffic.Groups);
    }

    [Fact]
    public void Zero_groups_are_rejected()
    {
        var parse = Program.BuildRootCommand().Parse(["loadgen", "--groups", "0"]);

        Assert.Contains(parse.Errors, e => e.Message == "--groups must be at least 1");
    }
}
