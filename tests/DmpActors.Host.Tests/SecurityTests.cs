using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Host.Tests;

/// <summary>A node with one key per role (and one holding ingest and read), so every route can be tried with each.</summary>
public sealed class KeyedNode : IDisposable
{
    public const string IngestKey = "tests-ingest-key-0001";
    public const string ReadKey = "tests-read-key-0002";
    public const string IngestAndReadKey = "tests-ingest-read-key-0003";
    public const string AdminKey = "tests-admin-key-0004";

    public readonly DmpHostFactory Factory = new(Keys(
        ("collector", IngestKey, ["ingest"]), ("dashboard", ReadKey, ["read"]), ("pipeline", IngestAndReadKey, ["ingest", "read"]), ("operator", AdminKey, ["admin"])));

    /// <summary>Dmp:Security:Keys settings for (name, key, roles) triples, hashed as an operator would configure them.</summary>
    public static Dictionary<string, string?> Keys(params (string Name, string Key, string[] Roles)[] keys)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"Dmp:Security:Keys:{i}:Name"] = keys[i].Name;
            settings[$"Dmp:Security:Keys:{i}:Hash"] = ApiKeyRing.HashOf(keys[i].Key);
            for (var r = 0; r < keys[i].Roles.Length; r++) settings[$"Dmp:Security:Keys:{i}:Roles:{r}"] = keys[i].Roles[r];
        }
        return settings;
    }

    public HttpClient Client(string? key)
    {
        var http = Factory.CreateClient();
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public void Dispose() => Factory.Dispose();
}

public sealed class SecurityTests(KeyedNode node) : IClassFixture<KeyedNode>
{
    private static readonly Dictionary<ApiRole, string> RightKey = new()
    {
        [ApiRole.Ingest] = KeyedNode.IngestKey, [ApiRole.Read] = KeyedNode.ReadKey, [ApiRole.Admin] = KeyedNode.AdminKey,
    };

    /// <summary>For each role a key that lacks it: admin routes are tried with a key holding both other roles.</summary>
    private static readonly Dictionary<ApiRole, string> WrongKey = new()
    {
        [ApiRole.Ingest] = KeyedNode.ReadKey, [ApiRole.Read] = KeyedNode.IngestKey, [ApiRole.Admin] = KeyedNode.IngestAndReadKey,
    };

    private IReadOnlyList<(string Method, string Path, ApiRole? Role)> Routes() =>
        node.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, Sample(e.RoutePattern.RawText!), e.Metadata.GetMetadata<RequiredRole>()?.Role)))
            .ToList();

    /// <summary>A concrete path for a route pattern: every parameter becomes "user" (a user id, and the user entity type).</summary>
    private static string Sample(string pattern) => "/" + Regex.Replace(pattern, @"\{[^}]+\}", "user").TrimStart('/');

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method is "POST" or "PUT" ? Events.Json("{}") : null };

    [Fact]
    public async Task Every_route_declares_a_role_and_answers_403_to_a_key_without_it_and_neither_401_nor_403_to_a_key_with_it()
    {
        var routes = Routes();
        Assert.Contains(routes, r => r.Path == "/v1/events");
        Assert.Contains(routes, r => r.Path.StartsWith("/admin/v1/", StringComparison.Ordinal));
        var undeclared = routes.Where(r => r.Role is null).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(undeclared.Count == 0, "routes without a role (add .RequireRole(...)): " + string.Join(", ", undeclared));

        foreach (var (method, path, role) in routes)
        {
            var needed = role!.Value;
            if (needed == ApiRole.Anyone)
            {
                var open = await SendAsync(node.Client(null), method, path);
                Assert.True(open is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} is open but answered {open}");
                continue;
            }

            using var refused = await node.Client(WrongKey[needed]).SendAsync(Request(method, path));
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with a key lacking {needed.Wire()} answered {refused.StatusCode}");
            Assert.Equal(needed.Wire(), (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("required_role").GetString());

            foreach (var key in new[] { RightKey[needed], KeyedNode.AdminKey })
            {
                var allowed = await SendAsync(node.Client(key), method, path);
                Assert.True(allowed is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {path} with a {needed.Wire()} key answered {allowed}");
            }
        }
    }

    /// <summary>The status only: headers are enough, so a stream (cluster events) is not read to its end.</summary>
    private static async Task<HttpStatusCode> SendAsync(HttpClient http, string method, string path)
    {
        using var response = await http.SendAsync(Request(method, path), HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    [Theory]
    [InlineData(null, "API key required")]
    [InlineData("not-a-configured-key", "Unknown API key")]
    public async Task A_missing_or_unknown_key_gets_401_with_a_json_reason(string? key, string title)
    {
        using var response = await node.Client(key).GetAsync("/v1/profiles/someone");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal("read", problem.GetProperty("required_role").GetString());
    }

    [Fact]
    public async Task A_key_lacking_the_role_gets_403_naming_the_role_needed()
    {
        using var response = await node.Client(KeyedNode.IngestKey).GetAsync("/v1/profiles/someone");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal("GET /v1/profiles/someone needs the read role; key 'collector' has ingest", detail);
    }

    [Fact]
    public async Task The_key_is_accepted_as_a_bearer_token_or_in_the_x_api_key_header()
    {
        var http = node.Factory.CreateClient();
        http.DefaultRequestHeaders.Add(ApiKeyAuthorization.KeyHeader, KeyedNode.ReadKey);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/profiles/nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Client(KeyedNode.ReadKey).GetAsync("/v1/profiles/nobody")).StatusCode);
    }

    [Fact]
    public async Task A_route_without_a_declared_role_is_refused()
    {
        // An app with the node's security in front of one route that forgot its role.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddRateLimiter(_ => { });
        await using var app = builder.Build();
        app.UseDmpSecurity();
        app.MapGet("/v1/forgotten", () => "served");
        await app.StartAsync();

        using var response = await app.GetTestClient().GetAsync("/v1/forgotten");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Route declares no role", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public void Outside_embedded_mode_a_node_needs_a_key_unless_open_mode_is_chosen()
    {
        DmpOptions Node(string mode) => new() { Kafka = new KafkaOptions { Embedded = false }, Security = new SecurityOptions { Mode = mode } };

        Assert.Contains(Node("auto").Validate(), e => e.StartsWith("Dmp:Security:Keys: at least one API key is required", StringComparison.Ordinal));
        Assert.DoesNotContain(Node("open").Validate(), e => e.StartsWith("Dmp:Security:", StringComparison.Ordinal));
        Assert.DoesNotContain(new DmpOptions().Validate(), e => e.StartsWith("Dmp:Security:", StringComparison.Ordinal));
        Assert.False(new SecurityOptions().RequiresKeys(embedded: true));
        Assert.True(new SecurityOptions().RequiresKeys(embedded: false));
    }
}
