using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Engine.Storage;
using DmpActors.Host.Admin;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.DependencyInjection;
using DmpActors.Host.Security;

namespace DmpActors.Host.Tests;

public sealed class AdminEndpointsTests : IClassFixture<AdminEndpointsTests.Node>
{
    public const string Key = "admin-endpoints-test-key";

    public sealed class Node : IDisposable
    {
        public readonly DmpHostFactory Factory = new(new Dictionary<string, string?> { ["Dmp:Admin:ApiKey"] = Key });

        public HttpClient Admin()
        {
            var http = Factory.CreateClient();
            http.DefaultRequestHeaders.Add(ApiKeyAuthorization.KeyHeader, Key);
            return http;
        }

        public void Dispose() => Factory.Dispose();
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Node _node;

    public AdminEndpointsTests(Node node) => _node = node;

    [Theory]
    [InlineData("GET", "/admin/v1/cluster")]
    [InlineData("POST", "/admin/v1/cluster/leave")]
    [InlineData("POST", "/admin/v1/cluster/down-unreachable")]
    [InlineData("GET", "/admin/v1/cluster/events")]
    [InlineData("GET", "/admin/v1/sharding/regions/user/shards")]
    [InlineData("GET", "/admin/v1/actors?path=/user")]
    [InlineData("GET", "/admin/v1/no-such-route")]
    public async Task A_request_without_a_key_gets_401_saying_where_to_put_the_key_before_anything_else_is_looked_at(string method, string path)
    {
        // A malformed body too: the key is checked first.
        var response = await _node.Factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Events.Json("{not json") });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("API key required", problem.GetProperty("title").GetString());
        Assert.Equal("admin", problem.GetProperty("required_role").GetString());
        Assert.Contains(ApiKeyAuthorization.KeyHeader, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_key_gets_401_and_no_cluster_state()
    {
        var http = _node.Factory.CreateClient();
        http.DefaultRequestHeaders.Add(ApiKeyAuthorization.KeyHeader, Key + "x");

        var response = await http.GetAsync("/admin/v1/cluster");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unknown API key", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.DoesNotContain("akka.tcp", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_key_is_also_accepted_as_a_bearer_token_and_the_single_node_is_up_and_leader()
    {
        var http = _node.Factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var cluster = await http.GetFromJsonAsync<JsonElement>("/admin/v1/cluster");

        var self = cluster.GetProperty("self").GetString();
        Assert.StartsWith("akka.tcp://dmp@127.0.0.1:", self);
        Assert.Equal(self, cluster.GetProperty("leader").GetString());
        var member = Assert.Single(cluster.GetProperty("members").EnumerateArray());
        Assert.Equal(self, member.GetProperty("address").GetString());
        Assert.Equal("up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Sharding_stats_and_the_actor_hierarchy_show_a_user_entity_once_it_has_an_event()
    {
        var http = _node.Admin();
        await http.PostAsync("/v1/events", Events.Json(Events.PageView("adm-1", "admin-user")));
        await Wait.ForProfile(http, "admin-user", p => p.GetProperty("events_applied").GetInt64() == 1, Patience);

        var regions = await http.GetFromJsonAsync<JsonElement>("/admin/v1/sharding/regions");
        var local = await http.GetFromJsonAsync<JsonElement>("/admin/v1/sharding/regions/user/stats");
        var cluster = await http.GetFromJsonAsync<JsonElement>("/admin/v1/sharding/regions/user/shards");
        var actors = await http.GetFromJsonAsync<JsonElement>("/admin/v1/actors?path=/system/sharding/user&depth=2");

        Assert.Contains("user", regions.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        var shards = local.GetProperty("shards").EnumerateArray().ToList();
        Assert.Contains(shards, s => s.GetProperty("entities").GetInt32() >= 1);
        var region = Assert.Single(cluster.EnumerateArray());
        Assert.Equal(local.GetProperty("address").GetString(), region.GetProperty("address").GetString());
        var paths = actors.GetProperty("actors").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Contains(paths, p => p.StartsWith("/system/sharding/user/") && p.EndsWith("/admin-user"));
        Assert.False(actors.GetProperty("truncated").GetBoolean());
    }

    [Theory]
    [InlineData("/admin/v1/sharding/regions/nosuchtype/stats", 404)]
    [InlineData("/admin/v1/sharding/regions/nosuchtype/shards", 404)]
    [InlineData("/admin/v1/actors?path=/user/nosuchactor", 404)]
    [InlineData("/admin/v1/actors?path=/user&depth=0", 400)]
    [InlineData("/admin/v1/actors?path=/user&depth=11", 400)]
    public async Task Queries_for_what_does_not_exist_or_out_of_range_get_a_problem_with_a_reason(string path, int status)
    {
        var response = await _node.Admin().GetAsync(path);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("down")]
    public async Task Leave_and_down_of_an_address_that_is_not_a_member_get_404_and_the_node_stays_up(string action)
    {
        var http = _node.Admin();

        var unknown = await http.PostAsJsonAsync($"/admin/v1/cluster/{action}", new { address = "akka.tcp://dmp@10.9.9.9:1" });
        var missing = await http.PostAsJsonAsync($"/admin/v1/cluster/{action}", new { address = "" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var cluster = await http.GetFromJsonAsync<JsonElement>("/admin/v1/cluster");
        Assert.Equal("up", Assert.Single(cluster.GetProperty("members").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Down_unreachable_with_every_member_reachable_downs_nobody()
    {
        var response = await _node.Admin().PostAsync("/admin/v1/cluster/down-unreachable", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("downed").EnumerateArray());
    }

    [Fact]
    public async Task The_membership_stream_starts_with_the_current_members_as_server_sent_events()
    {
        var http = _node.Admin();
        using var timeout = new CancellationTokenSource(Patience);

        using var response = await http.GetAsync("/admin/v1/cluster/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("data: ", first);
        var change = JsonDocument.Parse(first!["data: ".Length..]).RootElement;
        Assert.Equal("MemberUp", change.GetProperty("event").GetString());
        Assert.Equal("up", change.GetProperty("status").GetString());
    }
    [Fact]
    public async Task A_profile_that_cannot_be_decoded_answers_409_and_is_listed_as_isolated_in_info_and_admin()
    {
        // Given a stored row that no codec version can read
        var runtime = _node.Factory.Services.GetRequiredService<DmpRuntime>();
        await runtime.Engine.Store.SaveAsync([new StoredProfile("corrupt-user", [0xFF, 0x01, 0x02], 3)]);
        var http = _node.Admin();

        // When an event for the user arrives
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/v1/events", Events.Json(Events.PageView("iso-1", "corrupt-user")))).StatusCode);

        // Then the user is isolated, and says so everywhere
        await Wait.Until(async () => (await http.GetAsync("/v1/profiles/corrupt-user")).StatusCode == HttpStatusCode.Conflict, Patience, "the profile to answer 409");
        var problem = await (await http.GetAsync("/v1/profiles/corrupt-user")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("cannot be decoded", problem.GetProperty("detail").GetString());
        var info = await http.GetFromJsonAsync<JsonElement>("/v1/info");
        Assert.True(info.GetProperty("isolated_profiles").GetInt32() >= 1);
        var isolated = await http.GetFromJsonAsync<JsonElement>("/admin/v1/profiles/isolated");
        var entry = Assert.Single(isolated.GetProperty("profiles").EnumerateArray(), p => p.GetProperty("user_id").GetString() == "corrupt-user");
        Assert.Equal("undecodable", entry.GetProperty("kind").GetString());
    }
}

public sealed class AdminKeyTests
{
    [Fact]
    public async Task An_embedded_node_without_a_configured_key_generates_one_in_its_data_directory_and_keeps_it_across_restarts()
    {
        using var data = new TempDir();
        var settings = new Dictionary<string, string?> { ["Dmp:Storage:DataDirectory"] = data.Path };
        var keyFile = Path.Combine(data.Path, AdminKey.FileName);

        string first;
        using (var node = new DmpHostFactory(settings))
        {
            node.CreateClient();
            first = File.ReadAllText(keyFile);
            Assert.Equal(HttpStatusCode.OK, (await WithKey(node.CreateClient(), first).GetAsync("/admin/v1/cluster")).StatusCode);
        }
        using (var again = new DmpHostFactory(settings))
        {
            Assert.Equal(HttpStatusCode.OK, (await WithKey(again.CreateClient(), first).GetAsync("/admin/v1/cluster")).StatusCode);
        }

        Assert.True(first.Length >= AdminKey.MinLength);
        Assert.Equal(first, File.ReadAllText(keyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
    }

    [Theory]
    [InlineData(null, "Dmp:Security:Keys: at least one API key is required when Dmp:Kafka:Embedded is false")]
    [InlineData("short", "Dmp:Admin:ApiKey: must be at least 16 characters")]
    public async Task A_node_with_an_external_broker_refuses_to_start_without_a_key_or_with_a_short_admin_key(string? key, string reason)
    {
        using var data = new TempDir();
        List<string> settings = ["--Dmp:Kafka:Embedded=false", "--Dmp:Kafka:BootstrapServers=127.0.0.1:1", "--Dmp:Node:Port=0",
            $"--Dmp:Storage:DataDirectory={data.Path}"];
        if (key is not null) settings.Add($"--Dmp:Admin:ApiKey={key}");

        var (exitCode, output) = await RunHostToExitAsync(settings);

        Assert.Equal(2, exitCode);
        Assert.Contains("DmpActors cannot start", output);
        Assert.Contains(reason, output);
        Assert.False(File.Exists(Path.Combine(data.Path, AdminKey.FileName)));
    }

    /// <summary>Runs the host as a process that is expected to stop by itself; its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Output)> RunHostToExitAsync(IEnumerable<string> settings)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmpActors.Host.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{Ports.Free()}");
        foreach (var s in settings) info.ArgumentList.Add(s);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static HttpClient WithKey(HttpClient http, string key)
    {
        http.DefaultRequestHeaders.Add(ApiKeyAuthorization.KeyHeader, key);
        return http;
    }

}
