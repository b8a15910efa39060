using System.Security.Cryptography;
using System.Text;
using DmpActors.Engine.Hosting;

namespace DmpActors.Host.Admin;

/// <summary>
/// An admin key given in clear: configured (Dmp:Admin:ApiKey), or, in embedded mode only, generated once into the
/// data directory so a newcomer's dmpctl works with no setup. Elsewhere admin keys may come from Dmp:Security:Keys alone.
/// </summary>
public sealed class AdminKey
{
    public const string FileName = "admin.key";
    public const int MinLength = AdminOptions.MinApiKeyLength;

    private AdminKey(string? value, string source)
    {
        Hash = value is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(value));
        Source = source;
    }

    /// <summary>SHA-256 of the key; null when there is none (outside embedded mode, Dmp:Admin:ApiKey unset).</summary>
    public byte[]? Hash { get; }

    /// <summary>Where the key came from, for the start-up log ("Dmp:Admin:ApiKey" or the key file's path).</summary>
    public string Source { get; }

    public static AdminKey Resolve(DmpOptions options)
    {
        // Its length was checked with the other options (AdminOptions.Validate).
        if (options.Admin.HasApiKey) return new AdminKey(options.Admin.ApiKey!.Trim(), "Dmp:Admin:ApiKey");
        if (!options.Kafka.Embedded) return new AdminKey(null, "none");
        var path = Path.GetFullPath(Path.Combine(options.Storage.DataDirectory, FileName));
        return new AdminKey(ReadOrCreate(path), path);
    }

    private static string ReadOrCreate(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= MinLength } existing) return existing;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, Encoding.UTF8, options)) file.Write(key);
        return key;
    }
}

/// <summary>Resolves the key while the host starts, so a missing key stops the node with a message naming the option.</summary>
public sealed class AdminKeyCheck(AdminKey key, ILogger<AdminKeyCheck> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        if (key.Hash is not null) log.LogInformation("Admin API key from {Source}", key.Source);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
