using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Admin;
using Microsoft.Extensions.Primitives;

namespace DmpActors.Host.Security;

/// <summary>A key the node accepts: who holds it, its roles and its collector rate (null = the default).</summary>
public sealed record ApiKey(string Name, IReadOnlySet<ApiRole> Roles, int? RequestsPerSecond);

/// <summary>
/// The keys this node accepts, by the SHA-256 of the key: Dmp:Security:Keys (re-read when the configuration
/// reloads), Dmp:Security:KeysFile (re-read within <see cref="FilePollInterval"/> of changing) and the admin key.
/// A change that does not validate is logged and the previous keys stay in force.
/// </summary>
public sealed class ApiKeyRing : IDisposable
{
    public static readonly TimeSpan FilePollInterval = TimeSpan.FromSeconds(1);

    private readonly IConfiguration _configuration;
    private readonly TimeProvider _clock;
    private readonly ILogger<ApiKeyRing> _log;
    private readonly IDisposable _configurationWatch;
    private readonly ApiKey? _clearAdminKey;
    private readonly byte[]? _clearAdminHash;
    private IReadOnlyList<ApiKeyOptions> _configured;
    private IReadOnlyList<ApiKeyOptions> _fromFile = [];
    private (DateTime WrittenAt, long Length)? _fileStamp;
    private long _nextFileCheck;
    private int _checkingFile;
    private volatile Dictionary<string, ApiKey> _byHash = [];
    // A configuration reload and a keys-file change may land at once: each rebuild must see the other's latest keys.
    private readonly Lock _rebuild = new();

    /// <exception cref="OptionsValidationException">The keys file is missing or not valid.</exception>
    public ApiKeyRing(IConfiguration configuration, DmpOptions options, AdminKey adminKey, TimeProvider clock, ILogger<ApiKeyRing> log)
    {
        _configuration = configuration;
        _clock = clock;
        _log = log;
        RequiresKeys = options.Security.RequiresKeys(options.Kafka.Embedded);
        KeysFile = string.IsNullOrWhiteSpace(options.Security.KeysFile) ? null : Path.GetFullPath(options.Security.KeysFile);
        // Named after its setting, so it cannot share a rate-limit partition with a configured key.
        _clearAdminKey = new ApiKey("Dmp:Admin:ApiKey", new HashSet<ApiRole> { ApiRole.Admin }, null);
        _clearAdminHash = adminKey.Hash;
        _configured = options.Security.Keys;
        if (KeysFile is not null)
        {
            if (ReadKeysFile(KeysFile, out var keys, out var problem) is not { } stamp) throw new OptionsValidationException(["Dmp:Security:KeysFile: " + problem]);
            (_fromFile, _fileStamp) = (keys, stamp);
        }
        Rebuild();
        _configurationWatch = ChangeToken.OnChange(configuration.GetReloadToken, ReloadConfigured);
        _nextFileCheck = clock.GetTimestamp() + Ticks(FilePollInterval);
    }

    /// <summary>False in open mode: /v1 answers without a key.</summary>
    public bool RequiresKeys { get; }

    public string? KeysFile { get; }

    public int Count => _byHash.Count;

    /// <summary>What was wrong with the keys file the last time it changed; null once a good version is read.</summary>
    public string? FileProblem { get; private set; }

    /// <summary>The key presented, or null when no configured key has its hash.</summary>
    public ApiKey? Find(string presented)
    {
        CheckFile();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (_clearAdminHash is not null && CryptographicOperations.FixedTimeEquals(hash, _clearAdminHash)) return _clearAdminKey;
        return _byHash.GetValueOrDefault(Convert.ToHexStringLower(hash));
    }

    /// <summary>The hash configured for a key: SHA-256 of its UTF-8 bytes, lower-case hex.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private void ReloadConfigured()
    {
        var keys = _configuration.GetSection("Dmp:Security:Keys").Get<ApiKeyOptions[]>() ?? [];
        var problems = OptionsProblems.Of("Dmp:Security:Keys", at => ApiKeyOptions.Validate(keys, at));
        if (problems.Count > 0)
        {
            _log.LogWarning("Reloaded Dmp:Security:Keys ignored, the previous keys stay in force: {Problems}", string.Join("; ", problems));
            return;
        }
        lock (_rebuild)
        {
            _configured = keys;
            Rebuild();
        }
    }

    private void CheckFile()
    {
        if (KeysFile is null || _clock.GetTimestamp() < Interlocked.Read(ref _nextFileCheck)) return;
        if (Interlocked.Exchange(ref _checkingFile, 1) == 1) return;
        try
        {
            Interlocked.Exchange(ref _nextFileCheck, _clock.GetTimestamp() + Ticks(FilePollInterval));
            var info = new FileInfo(KeysFile);
            if (info.Exists && (info.LastWriteTimeUtc, info.Length) == _fileStamp) return;
            if (ReadKeysFile(KeysFile, out var keys, out var problem) is not { } stamp)
            {
                _log.LogWarning("Keys file ignored, the previous keys stay in force: {Problem}", problem);
                FileProblem = problem;
                _fileStamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
                return;
            }
            FileProblem = null;
            lock (_rebuild)
            {
                (_fromFile, _fileStamp) = (keys, stamp);
                Rebuild();
            }
            _log.LogInformation("API keys reloaded from {File}: {Count} keys", KeysFile, keys.Count);
        }
        finally
        {
            Volatile.Write(ref _checkingFile, 0);
        }
    }

    /// <summary>The file's keys and its stamp, or null with what is wrong.</summary>
    public static (DateTime, long)? ReadKeysFile(string path, out IReadOnlyList<ApiKeyOptions> keys, out string problem)
    {
        keys = [];
        problem = "";
        try
        {
            var info = new FileInfo(path);
            var stamp = (info.LastWriteTimeUtc, info.Length);
            var file = JsonSerializer.Deserialize<KeysFileContent>(File.ReadAllText(path), FileJson);
            var read = file?.Keys ?? [];
            if (OptionsProblems.Of("Keys", at => ApiKeyOptions.Validate(read, at)) is { Count: > 0 } problems)
            {
                problem = $"{path}: {string.Join("; ", problems)}";
                return null;
            }
            keys = read;
            return stamp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            problem = $"cannot read {path} ({e.Message}); it holds {{\"Keys\": [{{\"Name\": ..., \"Hash\": ..., \"Roles\": [...]}}]}}";
            return null;
        }
    }

    private void Rebuild()
    {
        var byHash = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        foreach (var key in _configured.Concat(_fromFile))
            byHash[key.Hash!.ToLowerInvariant()] = new ApiKey(key.Name!, key.Roles.Select(ApiRoles.Parse).ToHashSet(), key.RequestsPerSecond);
        _byHash = byHash;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    private static readonly JsonSerializerOptions FileJson = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private sealed record KeysFileContent(ApiKeyOptions[]? Keys);

    public void Dispose() => _configurationWatch.Dispose();
}
