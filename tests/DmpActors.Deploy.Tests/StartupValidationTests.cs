using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Deploy.Tests.Support;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DmpActors.Deploy.Tests;

/// <summary>The host started as a real process with bad settings refuses to start and names the key, on one line.</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string[], string?, string> BadSettings => new()
    {
        { ["--profile", "nosuch"], null, "--profile: unknown profile 'nosuch'" },
        { [], "DMP_PROFILE=nosuch", "DMP_PROFILE: unknown profile 'nosuch'" },
        { [], "DMP__Node__Port=abc", "Dmp:Node:Port: 'abc' is not a whole number" },
        { [], "dmp__ingest__checkpointinterval=soon", "Dmp:Ingest:CheckpointInterval: 'soon' is not a duration" },
        { ["--Dmp:Kafka:Embedded=yes"], null, "Dmp:Kafka:Embedded: 'yes' is not true or false" },
        { ["--Dmp:Kafka:Partitions=0"], null, "Dmp:Kafka:Partitions: must be 1..1024, got 0" },
        { ["--Dmp:Storage:Provider=postgresql"], null, "Dmp:Storage:ConnectionString: is required" },
        { ["--Dmp:Node:SeedNodes:0=dmp@10.0.0.1:4053"], null, "Dmp:Node:SeedNodes:0: 'dmp@10.0.0.1:4053' is not an address" },
        { ["--Dmp:Kafka:BootstrapServers=kafka"], null, "Dmp:Kafka:BootstrapServers: must be host:port" },
        { ["--urls", "localhost-8080"], null, "Urls: 'localhost-8080' is not a listen address" },
        { [], "DMP__Kafka__BootstrapSevers=kafka:9092", "Dmp:Kafka:BootstrapSevers: unknown setting" },
        // Outside embedded mode a node without keys would serve profiles to anyone who can reach it.
        { ["--profile", "docker"], null, "Dmp:Security:Keys: at least one API key is required when Dmp:Kafka:Embedded is false" },
        { ["--profile", "cluster"], null, "Dmp:Security:Keys: at least one API key is required when Dmp:Kafka:Embedded is false" },
        { ["--Dmp:Security:Keys:0:Name=collector", "--Dmp:Security:Keys:0:Hash=abc", "--Dmp:Security:Keys:0:Roles:0=ingest"], null,
            "Dmp:Security:Keys:0:Hash: must be the key's SHA-256 as 64 hex digits" },
        { ["--Dmp:Security:Mode=closed"], null, "Dmp:Security:Mode: must be one of auto, keys, open, got 'closed'" },
        { ["--Dmp:Security:KeysFile=/nonexistent-dmp/keys.json"], null, "Dmp:Security:KeysFile: cannot read /nonexistent-dmp/keys.json" },
        { ["--Dmp:Admin:ApiKey=short"], null, "Dmp:Admin:ApiKey: must be at least 16 characters" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Host_with_a_bad_setting_exits_non_zero_with_one_line_naming_the_key(string[] args, string? variable, string expected)
    {
        using var workingDirectory = new TempDir();
        var environment = variable?.Split('=', 2) is [var name, var value] ? new Dictionary<string, string> { [name] = value } : null;
        await using var host = HostCommand.Start(args, environment, workingDirectory.Path);

        var exitCode = await host.ExitCodeAsync();

        Assert.Equal(2, exitCode);
        var refusals = host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("DmpActors cannot start: ", StringComparison.Ordinal)).ToList();
        var refusal = Assert.Single(refusals);
        Assert.StartsWith("DmpActors cannot start: " + expected, refusal);
        Assert.DoesNotContain("Unhandled exception", host.Stdout + host.Stderr);
        Assert.DoesNotContain("   at ", host.Stdout + host.Stderr);
    }

    [Fact]
    public async Task Host_with_several_bad_settings_names_every_one_in_the_same_refusal()
    {
        // Given a value that does not convert, a value out of range and a keys file that is not there
        using var workingDirectory = new TempDir();
        await using var host = HostCommand.Start(
            ["--Dmp:Node:Port=abc", "--Dmp:Ingest:MaxInFlightBytes=0", "--Dmp:Security:KeysFile=/nonexistent-dmp/keys.json"], null, workingDirectory.Path);

        // When the node starts, Then it exits 2 with one line for each of them
        Assert.Equal(2, await host.ExitCodeAsync());
        var refusals = host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("DmpActors cannot start: ", StringComparison.Ordinal)).ToList();
        Assert.Collection(refusals,
            line => Assert.StartsWith("DmpActors cannot start: Dmp:Node:Port: 'abc' is not a whole number", line),
            line => Assert.Equal("DmpActors cannot start: Dmp:Ingest:MaxInFlightBytes: must be at least 65536, got 0", line),
            line => Assert.StartsWith("DmpActors cannot start: Dmp:Security:KeysFile: cannot read /nonexistent-dmp/keys.json", line));
    }

    [Fact]
    public async Task Host_whose_broker_port_is_taken_exits_1_with_one_line_saying_why_not_an_unhandled_exception()
    {
        // Given the embedded broker's address held by another listener
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var workingDirectory = new TempDir();
        await using var host = HostCommand.Start(["--urls", "http://127.0.0.1:0", $"--Dmp:Kafka:BootstrapServers=127.0.0.1:{port}", "--Dmp:Node:Port=0"],
            null, workingDirectory.Path);

        // When the node starts, Then it stops with exit code 1 and says what was in the way
        Assert.Equal(1, await host.ExitCodeAsync());
        var line = Assert.Single(host.Stderr.Split('\n', StringSplitOptions.TrimEntries), l => l.StartsWith("DmpActors could not start: ", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.DoesNotContain("Unhandled exception", host.Stdout + host.Stderr);
    }

    [Fact]
    public async Task Environment_variables_override_the_profile_in_any_case_and_the_command_line_overrides_them()
    {
        using var data = new TempDir();
        var brokerPort = Ports.Free();
        var envNodePort = Ports.Free();
        var cliNodePort = Ports.Free();
        var httpPort = Ports.Free();
        var environment = new Dictionary<string, string>
        {
            ["DMP__KAFKA__BOOTSTRAPSERVERS"] = $"127.0.0.1:{brokerPort}",
            ["dmp__storage__datadirectory"] = data.Path,
            ["DMP__Node__Port"] = envNodePort.ToString(),
            ["DMP__Kafka__Partitions"] = "2",
        };
        await using var host = HostCommand.Start(
            ["--urls", $"http://127.0.0.1:{httpPort}", $"--Dmp:Node:Port={cliNodePort}"], environment, data.Path);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(15) };

        await Wait.Until(async () =>
        {
            if (host.HasExited) throw new InvalidOperationException("host exited:\n" + host.Stdout + host.Stderr);
            return (await http.GetAsync("/readyz")).IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(90), "the host to become ready");
        var info = await http.GetFromJsonAsync<JsonElement>("/v1/info");

        Assert.Equal($"127.0.0.1:{brokerPort}", info.GetProperty("kafka_bootstrap").GetString());
        Assert.EndsWith($":{cliNodePort}", info.GetProperty("node_address").GetString());
        Assert.True(File.Exists(Path.Combine(data.Path, "profiles.db")), "the SQLite store is in the directory the lower-case variable named");
    }

    [Fact]
    public void In_process_host_refuses_to_bind_options_with_a_bad_setting_naming_the_key()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dmp:Ingest:MaxInFlight"] = "1000",
            })));

        var refused = Assert.Throws<OptionsValidationException>(() => factory.Services.GetRequiredService<DmpOptions>());

        Assert.Equal(["Dmp:Ingest:MaxInFlight: must be a power of two, got 1000"], refused.Errors);
    }

    [Fact]
    public void In_process_host_reports_a_value_that_does_not_convert_and_one_out_of_range_together()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dmp:Cluster:Shards"] = "many",
                ["Dmp:Ingest:MaxInFlightBytes"] = "0",
                ["Dmp:Demo:Users"] = "0",
            })));

        var refused = Assert.Throws<OptionsValidationException>(() => factory.Services.GetRequiredService<DmpOptions>());

        Assert.Equal([
            "Dmp:Cluster:Shards: 'many' is not a whole number (Int32)",
            "Dmp:Ingest:MaxInFlightBytes: must be at least 65536, got 0",
            "Dmp:Demo:Users: must be at least 1, got 0",
        ], refused.Errors);
    }
}
