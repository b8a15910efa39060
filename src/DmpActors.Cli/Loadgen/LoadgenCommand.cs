using System.CommandLine;
using System.CommandLine.Parsing;
using DmpActors.Cli.Common;
using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>The <c>dmpctl loadgen</c> palette: synthetic shop traffic into Kafka or the HTTP ingest API.</summary>
public static class LoadgenCommand
{
    public const int ExitUnreachable = 2;
    public const int ExitDeliveryErrors = 1;

    private static readonly Option<double> Rate = new("--rate")
    {
        Description = "Events per second on a fixed schedule; 0 = as fast as possible",
        DefaultValueFactory = _ => 1000,
    };

    private static readonly Option<int> Users = new("--users")
    {
        Description = "Simulated users",
        DefaultValueFactory = _ => 10_000,
    };

    private static readonly Option<TimeSpan?> Duration = new("--duration")
    {
        Description = "How long to run, e.g. 30s, 5m, 1h30m (default: until Ctrl+C unless --events)",
        CustomParser = Durations.ParseArgument,
        HelpName = "duration",
    };

    private static readonly Option<long?> Events = new("--events")
    {
        Description = "Stop after this many events (instead of --duration)",
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of the synthetic traffic: same seed, same users, catalogue and event sequence",
        DefaultValueFactory = _ => 42,
    };

    private static readonly Option<string?> RunId = new("--run-id")
    {
        Description = "Prefix of event_ids (default: unique per run so the platform's de-duplication keeps every event)",
    };

    private static readonly Option<int> Groups = new("--groups")
    {
        Description = "Latent behavioural groups the users are drawn from (the truth segmentation should recover)",
        DefaultValueFactory = _ => new TrafficOptions().Groups,
    };

    private static readonly Option<string?> GroundTruth = new("--ground-truth")
    {
        Description = "Write the ground truth (groups, click model, user id → group) to this JSON file before sending",
        HelpName = "file",
    };

    private static readonly Option<double> InvalidShare = new("--invalid-share")
    {
        Description = "Share of deliberately bad events (malformed JSON, unknown type, missing ids), e.g. 0.01",
        DefaultValueFactory = _ => 0,
    };

    internal static readonly Option<string> Bootstrap = new("--bootstrap")
    {
        Description = "Kafka bootstrap servers",
        DefaultValueFactory = _ => "127.0.0.1:9092",
        HelpName = "host:port",
    };

    internal static readonly Option<string> Topic = new("--topic")
    {
        Description = "Kafka topic",
        DefaultValueFactory = _ => "dmp.events",
    };

    private static readonly Option<Uri?> Http = new("--http")
    {
        Description = "POST JSON arrays of up to 500 events to <URL>/v1/events instead of producing to Kafka",
        HelpName = "URL",
        CustomParser = ParseHttpUrl,
    };

    private static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key with the ingest role, for --http (default: $DMP_API_KEY, else $DMP_ADMIN_KEY, else data/admin.key)",
        HelpName = "key",
    };

    private static readonly Option<int> HttpConcurrency = new("--http-concurrency")
    {
        Description = "HTTP requests in flight at once",
        DefaultValueFactory = _ => 4,
    };

    internal static readonly Option<TimeSpan?> ConnectTimeout = new("--connect-timeout")
    {
        Description = "Fail when the target cannot be reached, or nothing is delivered, within this time",
        CustomParser = Durations.ParseArgument,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        HelpName = "duration",
    };

    public static Command Create()
    {
        var command = new Command("loadgen", "Send seeded synthetic e-commerce traffic to Kafka or the HTTP ingest API")
        {
            Rate, Users, Duration, Events, Seed, RunId, Groups, GroundTruth, InvalidShare, Bootstrap, Topic, Http, ApiKey, HttpConcurrency, ConnectTimeout,
        };
        command.Validators.Add(Validate);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = Bind(parseResult);
            var error = parseResult.InvocationConfiguration.Error;
            await using var sink = LoadgenSinks.Create(settings);
            return await new LoadgenRun(settings, sink, error, TimeProvider.System).RunAsync(cancellationToken);
        });
        return command;
    }

    /// <summary>Turns a successful parse into settings; the validators have already rejected bad input.</summary>
    public static LoadgenSettings Bind(ParseResult parseResult)
    {
        var traffic = new TrafficOptions
        {
            Seed = parseResult.GetValue(Seed),
            Users = parseResult.GetValue(Users),
            Groups = parseResult.GetValue(Groups),
            InvalidShare = parseResult.GetValue(InvalidShare),
            RunId = parseResult.GetValue(RunId) ?? $"r{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds():x}",
        };
        LoadgenTarget target = parseResult.GetValue(Http) is { } http
            ? new LoadgenTarget.Http(new Uri(http, "v1/events"), parseResult.GetValue(HttpConcurrency), Admin.NodeConnection.FindKey(parseResult.GetValue(ApiKey)))
            : new LoadgenTarget.Kafka(parseResult.GetValue(Bootstrap)!, parseResult.GetValue(Topic)!);
        return new LoadgenSettings(
            parseResult.GetValue(Rate),
            parseResult.GetValue(Duration),
            parseResult.GetValue(Events),
            traffic,
            target,
            parseResult.GetValue(ConnectTimeout) ?? TimeSpan.FromSeconds(10),
            parseResult.GetValue(GroundTruth));
    }

    private static void Validate(CommandResult result)
    {
        if (Explicit(result, Duration) && Explicit(result, Events))
            result.AddError("use either --duration or --events, not both");
        if (Explicit(result, Http) && (Explicit(result, Bootstrap) || Explicit(result, Topic)))
            result.AddError("--http sends to the HTTP ingest API; do not combine it with --bootstrap/--topic");
    }

    /// <summary>Range checks live on the options, where System.CommandLine has the parsed value at hand.</summary>
    private static Option<T> Must<T>(this Option<T> option, Func<T, bool> isValid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<T>() is var value && !isValid(value))
                result.AddError($"{option.Name} {rule}");
        });
        return option;
    }

    static LoadgenCommand()
    {
        Rate.Must(r => r >= 0 && double.IsFinite(r), "must be 0 (as fast as possible) or a positive number of events per second");
        Users.Must(u => u >= 1, "must be at least 1");
        Groups.Must(g => g >= 1, "must be at least 1");
        GroundTruth.Must(f => !string.IsNullOrWhiteSpace(f), "must name a file");
        Events.Must(e => e is >= 1, "must be at least 1");
        InvalidShare.Must(s => s is >= 0 and <= 1, "must be within [0, 1]");
        HttpConcurrency.Must(c => c is >= 1 and <= 64, "must be within 1..64");
        RunId.Must(r => r is { Length: > 0 and <= 64 } && !r.Any(char.IsWhiteSpace), "must be 1-64 characters without whitespace");
        Bootstrap.Must(b => !string.IsNullOrWhiteSpace(b), "must name at least one host:port");
        Topic.Must(t => !string.IsNullOrWhiteSpace(t), "must not be empty");
    }

    private static bool Explicit(SymbolResult result, Option option) => result.GetResult(option) is OptionResult { Implicit: false };

    private static Uri? ParseHttpUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            // Trailing slash so that "v1/events" is appended to, not substituted for, the last segment.
            return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
        result.AddError($"--http expects an absolute http(s) URL, got '{text}'");
        return null;
    }
}
