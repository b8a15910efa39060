using System.Net;
using System.Net.Http.Headers;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

public sealed class KeyRotationTests
{
    private static string KeysFile(params (string Name, string Key, string Role)[] keys) =>
        "{ \"Keys\": [ " + string.Join(", ", keys.Select(k => $$"""{ "Name": "{{k.Name}}", "Hash": "{{ApiKeyRing.HashOf(k.Key)}}", "Roles": [ "{{k.Role}}" ] }""")) + " ] }";

    private static async Task<HttpStatusCode> ReadWith(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/profiles/nobody");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Rewriting_the_keys_file_lets_the_new_key_in_and_shuts_the_old_one_out_within_seconds_without_a_restart()
    {
        // Given a node reading its keys from a file, with the old key in it
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "keys.json");
        File.WriteAllText(file, KeysFile(("dashboard", "old-dashboard-key-1", "read")));
        using var node = new DmpHostFactory(new Dictionary<string, string?> { ["Dmp:Security:KeysFile"] = file });
        var http = node.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, await ReadWith(http, "old-dashboard-key-1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadWith(http, "new-dashboard-key-2"));

        // When the operator replaces it with a new key (written aside and renamed, as a secret mount does)
        File.WriteAllText(file + ".tmp", KeysFile(("dashboard", "new-dashboard-key-2", "read")));
        File.Move(file + ".tmp", file, overwrite: true);

        // Then the same process accepts the new key and refuses the old one
        await Wait.Until(async () => await ReadWith(http, "new-dashboard-key-2") == HttpStatusCode.NotFound
                                     && await ReadWith(http, "old-dashboard-key-1") == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the rotated keys file to take effect");
    }

    [Fact]
    public async Task A_keys_file_rewritten_with_a_mistake_keeps_the_previous_keys()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "keys.json");
        File.WriteAllText(file, KeysFile(("dashboard", "dashboard-key-1", "read")));
        using var node = new DmpHostFactory(new Dictionary<string, string?> { ["Dmp:Security:KeysFile"] = file });
        var http = node.CreateClient();

        var ring = node.Services.GetRequiredService<ApiKeyRing>();

        // When the file is rewritten with a role that does not exist
        File.WriteAllText(file + ".tmp", KeysFile(("dashboard", "dashboard-key-2", "reader")));
        File.Move(file + ".tmp", file, overwrite: true);

        // Then, once the node has read it and said what is wrong, the previous key still works
        await Wait.Until(async () => await ReadWith(http, "dashboard-key-1") == HttpStatusCode.NotFound && ring.FileProblem is not null,
            TimeSpan.FromSeconds(10), "the node to read and refuse the broken keys file");
        Assert.Contains("unknown role 'reader'", ring.FileProblem);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadWith(http, "dashboard-key-2"));
    }

    [Fact]
    public async Task Keys_in_a_configuration_file_that_reloads_rotate_without_a_restart_too()
    {
        // Given a node whose Dmp:Security:Keys come from a JSON configuration file watched for changes
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "keys.settings.json");
        string Settings(string key) => $$"""{ "Dmp": { "Security": { "Keys": [ { "Name": "dashboard", "Hash": "{{ApiKeyRing.HashOf(key)}}", "Roles": [ "read" ] } ] } } }""";
        File.WriteAllText(file, Settings("old-configured-key-1"));
        using var factory = new DmpHostFactory();
        using var node = factory.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration(config => config.AddJsonFile(file, optional: false, reloadOnChange: true)));
        var http = node.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, await ReadWith(http, "old-configured-key-1"));

        // When the file is rewritten with another key
        File.WriteAllText(file, Settings("new-configured-key-2"));

        // Then the configuration reload swaps the keys in the running node
        await Wait.Until(async () => await ReadWith(http, "new-configured-key-2") == HttpStatusCode.NotFound
                                     && await ReadWith(http, "old-configured-key-1") == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the reloaded configuration to take effect");
    }
}
