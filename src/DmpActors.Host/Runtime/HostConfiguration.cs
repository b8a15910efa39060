using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace DmpActors.Host.Runtime;

/// <summary>
/// Layers configuration: config/appsettings.json, then config/appsettings.{profile}.json
/// (profile from DMP_PROFILE or --profile), then the usual environment variables and command line.
/// </summary>
public static class HostConfiguration
{
    public static void AddDmpConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var directory = FindConfigDirectory();
        var profile = ReadProfile(args) ?? Environment.GetEnvironmentVariable("DMP_PROFILE");
        var files = new List<string> { "appsettings.json" };
        if (!string.IsNullOrWhiteSpace(profile))
        {
            var file = $"appsettings.{profile}.json";
            if (!File.Exists(Path.Combine(directory, file)))
                throw new InvalidOperationException($"Configuration profile '{profile}' not found: {Path.Combine(directory, file)} does not exist");
            files.Add(file);
        }
        // Lowest precedence: environment variables and the command line still override these files.
        var provider = new PhysicalFileProvider(directory);
        for (var i = 0; i < files.Count; i++)
            builder.Configuration.Sources.Insert(i, new JsonConfigurationSource { FileProvider = provider, Path = files[i], Optional = false });
        if (args.Contains("--demo")) builder.Configuration["Dmp:Demo:Enabled"] = "true";
    }

    private static string? ReadProfile(string[] args)
    {
        var i = Array.IndexOf(args, "--profile");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindConfigDirectory()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "config");
        return Directory.Exists(beside) ? beside : Path.Combine(Directory.GetCurrentDirectory(), "config");
    }
}
