using System.Text.RegularExpressions;

namespace DmpActors.Engine.Hosting;

/// <summary>API keys, their roles and the collector's rate limits (Dmp:Security); docs/security.md.</summary>
public sealed partial class SecurityOptions
{
    public const string AutoMode = "auto";
    public const string KeysMode = "keys";
    public const string OpenMode = "open";
    public static readonly IReadOnlyList<string> Modes = [AutoMode, KeysMode, OpenMode];

    /// <summary>The roles a key may hold; admin implies the others.</summary>
    public static readonly IReadOnlyList<string> RoleNames = ["ingest", "read", "admin"];

    /// <summary>
    /// auto: keys are required unless the node runs the embedded broker and no key is configured; keys: always
    /// required; open: /v1 answers without a key (the admin API still needs an admin key).
    /// </summary>
    public string Mode { get; set; } = AutoMode;

    /// <summary>Keys as SHA-256 hashes; re-read when the configuration reloads.</summary>
    public ApiKeyOptions[] Keys { get; set; } = [];

    /// <summary>A JSON file ({"Keys": [...]}, entries as in Keys) re-read within a second of changing: rotation without restart.</summary>
    public string? KeysFile { get; set; }

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Whether requests to /v1 need a key; the admin API always does.</summary>
    public bool RequiresKeys(bool embedded) => Mode.ToLowerInvariant() switch
    {
        OpenMode => false,
        KeysMode => true,
        _ => !embedded || Keys.Length > 0 || !string.IsNullOrWhiteSpace(KeysFile),
    };

    /// <param name="clearAdminKey">Dmp:Admin:ApiKey is set: it counts as a configured key.</param>
    public void Validate(OptionsProblems problems, bool embedded, bool clearAdminKey)
    {
        if (!Modes.Contains(Mode.ToLowerInvariant()))
            problems.Add("Mode", $"must be one of {string.Join(", ", Modes)}, got '{Mode}'");
        else if (RequiresKeys(embedded) && Keys.Length == 0 && string.IsNullOrWhiteSpace(KeysFile) && !clearAdminKey)
            problems.Add("Keys", (embedded ? "at least one key is required when Dmp:Security:Mode is keys"
                                           : "at least one API key is required when Dmp:Kafka:Embedded is false")
                + " (add {Name, Hash, Roles} entries, e.g. from `dmpctl keys new --name collector --roles ingest`, or name a Dmp:Security:KeysFile;"
                + " Dmp:Security:Mode=open serves /v1 without keys)");
        ApiKeyOptions.Validate(Keys, problems.Under("Keys"));
        RateLimits.Validate(problems.Under("RateLimits"));
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    internal static partial Regex Sha256Hex();
}

/// <summary>One API key: who holds it, the SHA-256 of the key (hex) and what it may do.</summary>
public sealed class ApiKeyOptions
{
    public string? Name { get; set; }
    /// <summary>SHA-256 of the key's UTF-8 bytes, 64 hex digits (`dmpctl keys new` prints both).</summary>
    public string? Hash { get; set; }
    /// <summary>Any of ingest, read, admin.</summary>
    public string[] Roles { get; set; } = [];
    /// <summary>This key's request rate on POST /v1/events; unset = RateLimits:RequestsPerSecond.</summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>Problems with a list of keys, under "{i}:Field" of <paramref name="problems"/>' section.</summary>
    public static void Validate(IReadOnlyList<ApiKeyOptions> keys, OptionsProblems problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var at = problems.Under(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (string.IsNullOrWhiteSpace(key.Name)) at.Add("Name", "must not be empty (it names the key in logs and limits)");
            else if (!names.Add(key.Name)) at.Add("Name", $"'{key.Name}' is used by another key");
            at.Check(key.Hash is not null && SecurityOptions.Sha256Hex().IsMatch(key.Hash), "Hash",
                $"must be the key's SHA-256 as 64 hex digits (`dmpctl keys new` prints it), got '{key.Hash}'");
            at.Check(key.Roles.Length > 0, "Roles", $"must name at least one of {string.Join(", ", SecurityOptions.RoleNames)}");
            foreach (var role in key.Roles.Where(r => !SecurityOptions.RoleNames.Contains(r?.ToLowerInvariant())))
                at.Add("Roles", $"unknown role '{role}' (roles: {string.Join(", ", SecurityOptions.RoleNames)})");
            at.Check(key.RequestsPerSecond is null or >= 1, "RequestsPerSecond", $"must be at least 1, got {key.RequestsPerSecond}");
        }
    }
}

/// <summary>Limits on the HTTP collector (POST /v1/events).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per second per key (or per client address without keys); beyond it 429 with Retry-After.</summary>
    public int RequestsPerSecond { get; set; } = 5000;
    /// <summary>Events per second one user id may send; beyond it events are rejected as rate_limited. 0 = no limit.</summary>
    public int UserEventsPerSecond { get; set; } = 1000;
    /// <summary>Events one user id may send at once before UserEventsPerSecond applies.</summary>
    public int UserEventsBurst { get; set; } = 2000;

    public void Validate(OptionsProblems problems)
    {
        problems.Check(RequestsPerSecond >= 1, "RequestsPerSecond", $"must be at least 1, got {RequestsPerSecond}");
        problems.Check(UserEventsPerSecond >= 0, "UserEventsPerSecond", $"must not be negative (0 = no per-user limit), got {UserEventsPerSecond}");
        problems.Check(UserEventsBurst >= 1, "UserEventsBurst", $"must be at least 1, got {UserEventsBurst}");
    }
}
