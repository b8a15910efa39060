using System.CommandLine;
using System.Security.Cryptography;
using System.Text;

namespace DmpActors.Cli.Palettes.Keys;

/// <summary>
/// The <c>keys</c> palette: makes API keys for Dmp:Security:Keys. Nodes store only a key's SHA-256, so the key is
/// printed once, here, for the caller; the hash is what goes into configuration.
/// </summary>
public static class KeysPalette
{
    public static readonly IReadOnlyList<string> Roles = ["ingest", "read", "admin"];

    private static readonly Option<string> Name = new("--name")
    {
        Description = "Who holds the key (shown in logs and 403 responses, and the rate limit's partition)",
        DefaultValueFactory = _ => "client",
    };

    private static readonly Option<string[]> RolesOption = new("--roles")
    {
        Description = "Roles the key grants: ingest, read, admin (admin implies the others)",
        DefaultValueFactory = _ => ["ingest"],
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
    };

    private static readonly Argument<string> Key = new("key") { Description = "An existing key to hash" };

    static KeysPalette() => RolesOption.Validators.Add(result =>
    {
        foreach (var role in result.GetValueOrDefault<string[]>() ?? [])
            if (!Roles.Contains(role.ToLowerInvariant())) result.AddError($"--roles: unknown role '{role}' (roles: {string.Join(", ", Roles)})");
    });

    public static Command Create()
    {
        var create = new Command("new", "Print a fresh random key, its SHA-256 and the settings that configure it") { Name, RolesOption };
        create.SetAction(parseResult =>
        {
            var key = "dmp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            Print(parseResult.InvocationConfiguration.Output, key, parseResult.GetValue(Name)!, parseResult.GetValue(RolesOption)!);
            return 0;
        });
        var hash = new Command("hash", "Print the SHA-256 a node is configured with for an existing key") { Key };
        hash.SetAction(parseResult => parseResult.InvocationConfiguration.Output.WriteLine(HashOf(parseResult.GetValue(Key)!)));
        return new Command("keys", "API keys for Dmp:Security:Keys (docs/security.md)") { create, hash };
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes in lower-case hex, as nodes compare it.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static void Print(TextWriter output, string key, string name, IReadOnlyList<string> roles)
    {
        var hash = HashOf(key);
        var lower = roles.Select(r => r.ToLowerInvariant()).Distinct().ToList();
        output.WriteLine($"key:  {key}");
        output.WriteLine($"hash: {hash}");
        output.WriteLine();
        output.WriteLine("Give the key to its holder (clients send it as Authorization: Bearer <key> or X-Api-Key); the node needs only the hash.");
        output.WriteLine("In appsettings or the keys file (Dmp:Security:KeysFile):");
        output.WriteLine($"  {{ \"Name\": \"{name}\", \"Hash\": \"{hash}\", \"Roles\": [ {string.Join(", ", lower.Select(r => $"\"{r}\""))} ] }}");
        output.WriteLine("As environment variables (use the next free index instead of 0):");
        output.WriteLine($"  DMP__Security__Keys__0__Name={name}");
        output.WriteLine($"  DMP__Security__Keys__0__Hash={hash}");
        for (var i = 0; i < lower.Count; i++) output.WriteLine($"  DMP__Security__Keys__0__Roles__{i}={lower[i]}");
    }
}
