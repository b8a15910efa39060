using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DmpActors.Cli.Admin;
using DmpActors.Host.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DmpActors.Cli.Tests;

public sealed partial class KeysCommandTests
{
    [GeneratedRegex(@"^key:  (?<key>\S+)\nhash: (?<hash>[0-9a-f]{64})\n", RegexOptions.Multiline)]
    private static partial Regex KeyAndHash();

    private static async Task<(string Key, string Hash, string Output)> NewKeyAsync(params string[] options)
    {
        var (exit, output, error) = await CliRunner.RunAsync(["keys", "new", .. options]);
        Assert.True(exit == 0, error);
        var match = KeyAndHash().Match(output.ReplaceLineEndings("\n"));
        Assert.True(match.Success, output);
        return (match.Groups["key"].Value, match.Groups["hash"].Value, output);
    }

    [Fact]
    public async Task Keys_new_prints_a_fresh_key_its_sha256_and_the_settings_that_configure_it()
    {
        var (key, hash, output) = await NewKeyAsync("--name", "dashboard", "--roles", "read,ingest");
        var (other, _, _) = await NewKeyAsync();

        Assert.NotEqual(key, other);
        Assert.True(key.Length >= 32, key);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), hash);
        Assert.Contains($$"""{ "Name": "dashboard", "Hash": "{{hash}}", "Roles": [ "read", "ingest" ] }""", output);
        Assert.Contains("DMP__Security__Keys__0__Roles__1=ingest", output);
        Assert.DoesNotContain(key, output[(output.IndexOf("hash:", StringComparison.Ordinal))..]);
        var (exit, hashed, _) = await CliRunner.RunAsync("keys", "hash", key);
        Assert.Equal(0, exit);
        Assert.Equal(hash, hashed.Trim());
    }

    [Fact]
    public async Task An_unknown_role_is_refused()
    {
        var (exit, _, error) = await CliRunner.RunAsync("keys", "new", "--roles", "reader");

        Assert.NotEqual(0, exit);
        Assert.Contains("unknown role 'reader'", error);
    }

    [Fact]
    public async Task A_node_configured_with_printed_hashes_serves_dmpctl_and_loadgen_holding_the_printed_keys_and_refuses_a_missing_role()
    {
        // Given a node configured with the hashes of two fresh keys, one to read and one to ingest
        var (reader, readerHash, _) = await NewKeyAsync("--name", "dashboard", "--roles", "read");
        var (collector, collectorHash, _) = await NewKeyAsync("--name", "collector", "--roles", "ingest");
        var port = Ports.Free();
        using var node = new DmpHostFactory(new Dictionary<string, string?>
        {
            ["Dmp:Security:Keys:0:Name"] = "dashboard", ["Dmp:Security:Keys:0:Hash"] = readerHash, ["Dmp:Security:Keys:0:Roles:0"] = "read",
            ["Dmp:Security:Keys:1:Name"] = "collector", ["Dmp:Security:Keys:1:Hash"] = collectorHash, ["Dmp:Security:Keys:1:Roles:0"] = "ingest",
        });
        node.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await Task.Run(node.StartServer);
        var url = $"http://127.0.0.1:{port}";

        // When loadgen sends events with the ingest key and dmpctl reads a profile with the read key
        var load = await CliRunner.RunAsync("loadgen", "--http", url, "--api-key", collector, "--events", "200", "--rate", "0", "--users", "5", "--run-id", "keys");
        Assert.True(load.ExitCode == 0, load.Error);
        Assert.Contains("delivered 200", load.Error);
        var missing = await CliRunner.RunAsync("profile", "show", "nobody-at-all", "--host", url, "--api-key", reader);
        var wrongRole = await CliRunner.RunAsync("profile", "show", "nobody-at-all", "--host", url, "--api-key", collector);

        // Then the read key gets through to the profile (unknown: exit 1), and the ingest key is refused for its role
        Assert.Equal(AdminClient.ExitFailed, missing.ExitCode);
        Assert.Contains("Unknown user", missing.Error);
        Assert.Equal(AdminClient.ExitUnauthorized, wrongRole.ExitCode);
        Assert.Equal($"dmpctl: the node at {url}/ refused the API key's role: Role required: GET /v1/profiles/nobody-at-all needs the read role; key 'collector' has ingest",
            wrongRole.Error.Trim());
    }
}
