using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.Configuration;

namespace DmpActors.Deploy.Tests.Support;

/// <summary>Paths in the repository these tests check (found from the test binaries upwards).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(Path(relative));

    public static string ConfigDirectory => Path("config");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "DmpActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("DmpActors.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// What a node would see given a deployment's environment variables: the profile files from config/
/// (DMP_PROFILE), then the variables, as the host layers them (HostConfiguration).
/// </summary>
public static class DeployedConfiguration
{
    /// <summary>Keys that deploy files set for options another branch binds; honoured only while nothing here binds them.</summary>
    private static readonly string[] KeysBoundOnOtherBranches = ["Dmp:Admin:ApiKey"];

    /// <summary>ASP.NET keys a deployment may set through ASPNETCORE_* variables.</summary>
    private static readonly string[] AspNetKeys = ["URLS", "ENVIRONMENT", "HTTP_PORTS"];

    public static IConfiguration Build(IReadOnlyDictionary<string, string> environment)
    {
        var profile = environment.TryGetValue(HostConfiguration.ProfileVariable, out var name)
            ? (HostConfiguration.ProfileVariable, name) : ((string, string)?)null;
        var builder = new ConfigurationBuilder().SetBasePath(Repo.ConfigDirectory);
        foreach (var file in HostConfiguration.ProfileFiles(Repo.ConfigDirectory, profile)) builder.AddJsonFile(file);
        builder.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(ConfigurationKey(e.Key), (string?)e.Value)));
        return builder.Build();
    }

    /// <summary>Binds and validates as the host does; fails with every problem, unknown variables included.</summary>
    /// <param name="declaredValues">Values as written before expansion (Kubernetes $(VAR)); defaults to the environment's values.</param>
    public static DmpOptions Options(IReadOnlyDictionary<string, string> environment, IEnumerable<string>? declaredValues = null)
    {
        var declared = (declaredValues ?? environment.Values).ToList();
        var unknown = environment.Keys.Where(name => !IsKnownVariable(name, declared)).ToList();
        Assert.True(unknown.Count == 0, "variables no option binds: " + string.Join(", ", unknown));
        var bound = environment.Where(e => !IsBoundOnOtherBranch(ConfigurationKey(e.Key))).ToDictionary();
        try
        {
            return HostConfiguration.ReadDmpOptions(Build(bound));
        }
        catch (OptionsValidationException invalid)
        {
            Assert.Fail("the node would refuse this configuration:\n" + string.Join("\n", invalid.Errors));
            throw;
        }
    }

    /// <summary>The listen URL's port (Urls: from the profile or ASPNETCORE_URLS).</summary>
    public static int HttpPort(IReadOnlyDictionary<string, string> environment)
    {
        var urls = Build(environment)["urls"] ?? throw new InvalidOperationException("no Urls configured");
        return new Uri(urls.Split(';')[0].Replace("://*", "://any").Replace("://+", "://any")).Port;
    }

    /// <summary>How the host's environment provider names a variable's key (ASPNETCORE_ prefix stripped, __ = :).</summary>
    public static string ConfigurationKey(string variable) =>
        (variable.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) ? variable["ASPNETCORE_".Length..] : variable).Replace("__", ":");

    private static bool IsKnownVariable(string name, IReadOnlyList<string> declaredValues)
    {
        if (name == HostConfiguration.ProfileVariable) return true;
        if (name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase))
            return AspNetKeys.Contains(name["ASPNETCORE_".Length..], StringComparer.OrdinalIgnoreCase);
        var key = ConfigurationKey(name);
        if (key.StartsWith(SettingsCatalog.Root + ":", StringComparison.OrdinalIgnoreCase))
            return SettingsCatalog.Find(key) is not null || IsBoundOnOtherBranch(key);
        // Helpers such as POD_NAME only feed other variables' $(...) references.
        return declaredValues.Any(v => v.Contains($"$({name})", StringComparison.Ordinal));
    }

    private static bool IsBoundOnOtherBranch(string key) =>
        SettingsCatalog.Find(key) is null && KeysBoundOnOtherBranches.Contains(key, StringComparer.OrdinalIgnoreCase);
}
