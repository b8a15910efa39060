using DmpActors.Engine.Hosting;
using DmpActors.Host.Demo;
using DmpActors.Host.Security;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace DmpActors.Host.Runtime;

/// <summary>
/// Layers configuration, lowest precedence first: config/appsettings.json (the embedded profile),
/// config/appsettings.{profile}.json (profile from --profile or DMP_PROFILE), environment variables
/// (DMP__Kafka__BootstrapServers, any case), then the command line (--Dmp:Kafka:BootstrapServers=...).
/// </summary>
public static class HostConfiguration
{
    /// <summary>The base file alone: one node, embedded broker, SQLite.</summary>
    public const string DefaultProfile = "embedded";
    public const string ProfileVariable = "DMP_PROFILE";

    /// <exception cref="OptionsValidationException">The profile does not exist.</exception>
    public static void AddDmpConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var directory = FindConfigDirectory();
        var files = ProfileFiles(directory, ReadProfile(args));
        // Lowest precedence: environment variables and the command line still override these files.
        var provider = new PhysicalFileProvider(directory);
        for (var i = 0; i < files.Count; i++)
            builder.Configuration.Sources.Insert(i, new JsonConfigurationSource { FileProvider = provider, Path = files[i], Optional = false });
        if (args.Contains("--demo") || args.Contains(DemoSwitch)) builder.Configuration["Dmp:Demo:Enabled"] = "true";
    }

    private const string DemoSwitch = "--demo=true";

    /// <summary>
    /// The arguments with bare switches written as key=value. The command-line provider reads "--demo --Dmp:X=1" as
    /// demo = "--Dmp:X=1", losing the setting; "--demo=true --Dmp:X=1" keeps both. Call before building the host.
    /// </summary>
    public static string[] ExpandSwitches(string[] args) => [.. args.Select(a => a == "--demo" ? DemoSwitch : a)];

    /// <summary>The profile names config/ offers: the default plus one per appsettings.{name}.json.</summary>
    public static IReadOnlyList<string> Profiles(string directory) =>
        Directory.GetFiles(directory, "appsettings.*.json")
            .Select(f => Path.GetFileName(f)["appsettings.".Length..^".json".Length])
            .Append(DefaultProfile).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The JSON files (relative to <paramref name="directory"/>) a profile layers, lowest first.</summary>
    /// <param name="profile">(where it came from, its name); null for the default.</param>
    public static IReadOnlyList<string> ProfileFiles(string directory, (string Source, string Name)? profile)
    {
        var files = new List<string> { "appsettings.json" };
        if (profile is not { } chosen) return files;
        if (string.IsNullOrWhiteSpace(chosen.Name))
            throw new OptionsValidationException([$"{chosen.Source}: needs a profile name ({string.Join(", ", Profiles(directory))})"]);
        if (chosen.Name == DefaultProfile) return files;
        var file = $"appsettings.{chosen.Name}.json";
        if (!Profiles(directory).Contains(chosen.Name))
            throw new OptionsValidationException(
                [$"{chosen.Source}: unknown profile '{chosen.Name}' (available: {string.Join(", ", Profiles(directory))}; looked for {Path.Combine(directory, file)})"]);
        files.Add(file);
        return files;
    }

    /// <summary>
    /// Binds and validates the Dmp options; every problem, as "Key: what is wrong", in one exception: unknown keys,
    /// values that do not convert, bad listen URLs, <see cref="DmpOptions.Validate"/>, the demo settings and a keys
    /// file that cannot be read.
    /// </summary>
    /// <exception cref="OptionsValidationException">The configuration is not usable.</exception>
    public static DmpOptions ReadDmpOptions(IConfiguration configuration)
    {
        var unusable = SettingsCatalog.Unusable(configuration);
        var errors = unusable.Select(u => u.Problem).Concat(UrlErrors(configuration["urls"])).ToList();
        // What converts is bound and checked too, so one start names every bad key; a key already reported is not
        // reported again for the default that stood in for it.
        var usable = unusable.Count == 0 ? configuration : Without(configuration, unusable.Select(u => u.Key));
        var options = usable.GetSection(DmpOptions.Section).Get<DmpOptions>() ?? new DmpOptions();
        var reported = errors.Select(KeyOf).ToHashSet(StringComparer.OrdinalIgnoreCase);
        errors.AddRange(options.Validate().Concat(OptionsProblems.Of(DmpOptions.Section + ":Demo", ReadDemoOptions(usable).Validate))
            .Where(e => !reported.Contains(KeyOf(e))));
        if (!string.IsNullOrWhiteSpace(options.Security.KeysFile)
            && ApiKeyRing.ReadKeysFile(Path.GetFullPath(options.Security.KeysFile), out _, out var problem) is null)
            errors.Add("Dmp:Security:KeysFile: " + problem);
        if (errors.Count > 0) throw new OptionsValidationException(errors);
        return options;
    }

    private static string KeyOf(string problem) => problem[..Math.Max(0, problem.IndexOf(": ", StringComparison.Ordinal))];

    /// <summary>The Dmp section without <paramref name="keys"/>, as a configuration of its own.</summary>
    private static IConfiguration Without(IConfiguration configuration, IEnumerable<string> keys)
    {
        var skipped = keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.GetSection(DmpOptions.Section).AsEnumerable().Where(kv => kv.Value is not null && !skipped.Contains(kv.Key)))
            .Build();
    }

    /// <summary>Demo settings; call after <see cref="ReadDmpOptions"/>, which has checked that they convert.</summary>
    public static DemoOptions ReadDemoOptions(IConfiguration configuration) =>
        configuration.GetSection(DmpOptions.Section + ":Demo").Get<DemoOptions>() ?? new DemoOptions();

    /// <summary>Prints one line per problem to stderr; the exit code for a configuration the node refuses.</summary>
    public static int Refuse(OptionsValidationException invalid)
    {
        foreach (var error in invalid.Errors) Console.Error.WriteLine("DmpActors cannot start: " + error);
        return 2;
    }

    /// <summary>Exit code 1 for a node that was configured right but could not start.</summary>
    public static int FailedToStart(Exception failed)
    {
        // The outermost message names what was in the way (its inner exception only says "address in use").
        var e = failed;
        while (e is AggregateException { InnerExceptions.Count: 1 } single) e = single.InnerExceptions[0];
        Console.Error.WriteLine("DmpActors could not start: " + e.Message);
        return 1;
    }

    private static IEnumerable<string> UrlErrors(string? urls)
    {
        if (urls is null) yield break;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcard hosts (http://*:8080, http://+:8080) are not URI hosts.
            var parsable = url.Replace("://*", "://any").Replace("://+", "://any");
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                yield return $"Urls: '{url}' is not a listen address like http://0.0.0.0:8080";
        }
    }

    private static (string Source, string Name)? ReadProfile(string[] args)
    {
        var i = Array.IndexOf(args, "--profile");
        if (i >= 0) return ("--profile", i + 1 < args.Length ? args[i + 1] : "");
        return Environment.GetEnvironmentVariable(ProfileVariable) is { } name ? (ProfileVariable, name) : null;
    }

    public static string FindConfigDirectory()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "config");
        return Directory.Exists(beside) ? beside : Path.Combine(Directory.GetCurrentDirectory(), "config");
    }
}
