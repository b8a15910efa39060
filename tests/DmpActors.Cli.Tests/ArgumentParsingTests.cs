using DmpActors.Cli.Common;
using DmpActors.Cli.Loadgen;

namespace DmpActors.Cli.Tests;

public class ArgumentParsingTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("250ms", 250)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    public void Durations_accept_human_units(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("0s")]
    [InlineData("s")]
    [InlineData("10 s")]
    public void Durations_reject_nonsense(string text)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Loadgen_defaults_to_kafka_on_localhost()
    {
        var settings = LoadgenCommand.Bind(Program.BuildRootCommand().Parse(["loadgen"]));

        Assert.Equal(new LoadgenTarget.Kafka("127.0.0.1:9092", "dmp.events"), settings.Target);
        Assert.Equal(1000, settings.Rate);
        Assert.Null(settings.Duration);
        Assert.Null(settings.Events);
        Assert.Equal(42, settings.Traffic.Seed);
        Assert.Equal(10_000, settings.Traffic.Users);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.ConnectTimeout);
        Assert.False(string.IsNullOrEmpty(settings.Traffic.RunId));
    }

    [Fact]
    public void Loadgen_binds_every_option()
    {
        var parse = Program.BuildRootCommand().Parse(
            ["loadgen", "--rate", "0", "--users", "77", "--duration", "1h30m", "--seed", "9", "--run-id", "demo",
             "--invalid-share", "0.02", "--bootstrap", "k1:9092,k2:9092", "--topic", "t", "--connect-timeout", "3s"]);
        Assert.Empty(parse.Errors);

        var settings = LoadgenCommand.Bind(parse);

        Assert.Equal(0, settings.Rate);
        Assert.Equal(TimeSpan.FromMinutes(90), settings.Duration);
        Assert.Equal(new LoadgenTarget.Kafka("k1:9092,k2:9092", "t"), settings.Target);
        Assert.Equal(77, settings.Traffic.Users);
        Assert.Equal(9, settings.Traffic.Seed);
        Assert.Equal("demo", settings.Traffic.RunId);
        Assert.Equal(0.02, settings.Traffic.InvalidShare);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.ConnectTimeout);
    }

    [Theory]
    [InlineData("http://ingest:8080", "http://ingest:8080/v1/events")]
    [InlineData("http://ingest:8080/", "http://ingest:8080/v1/events")]
    [InlineData("https://gw.example/dmp", "https://gw.example/dmp/v1/events")]
    public void Http_target_posts_to_v1_events_under_the_given_url(string url, string expected)
    {
        var settings = LoadgenCommand.Bind(Program.BuildRootCommand().Parse(["loadgen", "--http", url, "--events", "5"]));

        var http = Assert.IsType<LoadgenTarget.Http>(settings.Target);
        Assert.Equal(new Uri(expected), http.EventsEndpoint);
        Assert.Equal(5, settings.Events);
    }

    [Theory]
    [InlineData("use either --duration or --events", "loadgen", "--duration", "5s", "--events", "10")]
    [InlineData("unknown unit 'x'", "loadgen", "--duration", "5x")]
    [InlineData("--rate must be 0", "loadgen", "--rate", "-5")]
    [InlineData("--users must be at least 1", "loadgen", "--users", "0")]
    [InlineData("--events must be at least 1", "loadgen", "--events", "0")]
    [InlineData("--invalid-share must be within [0, 1]", "loadgen", "--invalid-share", "1.5")]
    [InlineData("absolute http(s) URL", "loadgen", "--http", "ftp://x")]
    [InlineData("do not combine it with --bootstrap", "loadgen", "--http", "http://a", "--bootstrap", "b:1")]
    [InlineData("Unrecognized command or argument", "loadgen", "--frobnicate")]
    public async Task Bad_arguments_fail_with_a_message_naming_the_problem(string expected, params string[] args)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("loadgen", "--help")]
    public async Task Help_is_available_at_every_level(params string[] args)
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(args);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
        Assert.Contains(args.Length == 1 ? "loadgen" : "--bootstrap", output);
    }
}
