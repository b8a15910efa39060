using System.CommandLine;
using System.CommandLine.Parsing;

namespace DmpActors.Cli.Admin;

/// <summary>
/// Which node dmpctl talks to and with which API key: --host and --api-key, shared by every
/// palette that calls a node (recursive, so they work on any sub-command).
/// </summary>
public static class NodeConnection
{
    public const string DefaultHost = "http://127.0.0.1:8080";
    public const string KeyEnvironmentVariable = "DMP_API_KEY";
    /// <summary>The variable's older name, still read when DMP_API_KEY is unset.</summary>
    public const string LegacyKeyEnvironmentVariable = "DMP_ADMIN_KEY";
    /// <summary>Where an embedded node writes its generated key, relative to the directory it was started in.</summary>
    public static readonly string GeneratedKeyFile = Path.Combine("data", "admin.key");

    public static readonly Option<Uri> Host = new("--host")
    {
        Description = "The node: host:port or a URL",
        DefaultValueFactory = _ => new Uri(DefaultHost + "/"),
        CustomParser = ParseHost,
        HelpName = "host:port|URL",
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = $"API key, sent as Authorization: Bearer (default: ${KeyEnvironmentVariable}, else ${LegacyKeyEnvironmentVariable}, else {GeneratedKeyFile} written by an embedded node started in this directory)",
        HelpName = "key",
        Recursive = true,
    };

    public static Command WithConnection(this Command palette)
    {
        palette.Options.Add(Host);
        palette.Options.Add(ApiKey);
        return palette;
    }

    public static AdminClient Connect(ParseResult parseResult) =>
        new(parseResult.GetValue(Host)!, FindKey(parseResult.GetValue(ApiKey)));

    /// <summary>--api-key, else DMP_API_KEY, else DMP_ADMIN_KEY, else the key file an embedded node generated; null when none.</summary>
    public static string? FindKey(string? option) =>
        FindKey(option, Environment.GetEnvironmentVariable(KeyEnvironmentVariable) is { Length: > 0 } current && !string.IsNullOrWhiteSpace(current)
            ? current : Environment.GetEnvironmentVariable(LegacyKeyEnvironmentVariable), GeneratedKeyFile);

    /// <summary>--api-key, else the environment variable, else the key file an embedded node generated; null when none.</summary>
    public static string? FindKey(string? option, string? environment, string keyFile)
    {
        if (!string.IsNullOrWhiteSpace(option)) return option.Trim();
        if (!string.IsNullOrWhiteSpace(environment)) return environment.Trim();
        return File.Exists(keyFile) && File.ReadAllText(keyFile).Trim() is { Length: > 0 } generated ? generated : null;
    }

    public static Uri? ParseHost(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (TryParseHost(text) is { } uri) return uri;
        result.AddError($"--host expects host:port or an http(s) URL, got '{text}'");
        return null;
    }

    /// <summary>"127.0.0.1:8080", "node-1:8080" or "https://dmp.example/"; always ends in '/' so paths append.</summary>
    public static Uri? TryParseHost(string text)
    {
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0) return null;
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }
}
