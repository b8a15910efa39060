using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace DmpActors.Host.Tests;

/// <summary>Ports for the hosts a test starts. They come from below Linux's ephemeral range (32768 and up), so an
/// outgoing connection can never take one between the moment it is chosen and the moment its host binds it, and
/// none is given twice in one test run.</summary>
public static class Ports
{
    private static readonly HashSet<int> Given = [];

    public static int Free()
    {
        lock (Given)
        {
            while (true)
            {
                var port = Random.Shared.Next(20_000, 32_000);
                if (!Given.Add(port)) continue;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // Taken by something else on this machine: try another.
                }
            }
        }
    }
}

public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dmp-host-tests", Guid.NewGuid().ToString("N"));
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Events
{
    public static readonly DateTimeOffset Base = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public static string PageView(string eventId, string userId) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"page_view","user_id":"{{{userId}}}","timestamp":"{{{Base:O}}}","properties":{"url":"/p"}}""";

    public static string Purchase(string eventId, string userId, decimal revenue) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"purchase","user_id":"{{{userId}}}","timestamp":"{{{Base:O}}}","properties":{"order_id":"o-{{{eventId}}}","revenue":{{{revenue}}},"currency":"GBP","items":[{"item_id":"sku-1","category":"toys","price":{{{revenue}}},"quantity":1}]}}""";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static StringContent Batch(IEnumerable<string> events) => Json("[" + string.Join(",", events) + "]");
}

public static class Wait
{
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try { if (await condition()) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
    }

    public static Task ForProfile(HttpClient http, string userId, Func<JsonElement, bool> condition, TimeSpan timeout) =>
        Until(async () =>
        {
            var response = await http.GetAsync($"/v1/profiles/{userId}");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            return condition(await response.Content.ReadFromJsonAsync<JsonElement>());
        }, timeout, $"profile {userId} to match");
}

/// <summary>The host in-process, on a free broker port, a free Akka port and its own data directory.</summary>
public sealed class DmpHostFactory : WebApplicationFactory<Program>
{
    private readonly TempDir _data = new();
    private readonly Dictionary<string, string?> _settings;

    private readonly Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? _services;

    /// <param name="services">Replaces services after the host's own registrations (e.g. a clock a test controls).</param>
    public DmpHostFactory(IDictionary<string, string?>? extra = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        _services = services;
        BrokerAddress = $"127.0.0.1:{Ports.Free()}";
        _settings = new Dictionary<string, string?>
        {
            ["Dmp:Kafka:BootstrapServers"] = BrokerAddress,
            ["Dmp:Kafka:Partitions"] = "3",
            ["Dmp:Node:Port"] = "0",
            ["Dmp:Storage:DataDirectory"] = _data.Path,
            ["Dmp:Ingest:CheckpointInterval"] = "00:00:00.200",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) _settings[k] = v;
    }

    public string BrokerAddress { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        if (_services is not null) builder.ConfigureServices(_services);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _data.Dispose();
    }
}

/// <summary>The host as a real OS process (dotnet DmpActors.Host.dll), so tests can kill -9 it.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process) => _process = process;

    /// <summary>Set once the host has printed the address it bound (port 0: the system picks a free one, no race).</summary>
    public HttpClient Http { get; private set; } = null!;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The admin key a process is given unless its settings name one; <see cref="Http"/> sends it.</summary>
    public const string AdminKey = "host-process-tests-admin-key";

    public static async Task<HostProcess> StartAsync(params string[] settings)
    {
        const string adminKeySetting = "--Dmp:Admin:ApiKey=";
        var key = settings.FirstOrDefault(s => s.StartsWith(adminKeySetting, StringComparison.Ordinal))?[adminKeySetting.Length..];
        if (key is null) settings = [.. settings, adminKeySetting + AdminKey];
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmpActors.Host.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var s in settings) info.ArgumentList.Add(s);
        var process = Process.Start(info)!;
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => { lock (host._output) host._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (host._output) host._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Wait.Until(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException("host exited early:\n" + host.Output);
            if (host.Http is null)
            {
                // The start-up banner names the bound address: "  HTTP API      http://127.0.0.1:41234".
                var line = host.Output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("HTTP API", StringComparison.Ordinal));
                if (line is null) return false;
                host.Http = new HttpClient { BaseAddress = new Uri(line.Trim()["HTTP API".Length..].Trim()), Timeout = TimeSpan.FromSeconds(15) };
                host.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key ?? AdminKey);
            }
            return (await host.Http.GetAsync("/readyz")).IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(90), "the host process to become ready");
        return host;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush; what is not durable is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd, Kubernetes and docker stop send it: the host shuts down in order. Returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (SignalTerm(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"the host did not exit within {timeout} of SIGTERM:\n{Output}"); }
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SignalTerm(int pid, int signal);

    public async Task<JsonElement> InfoAsync() => await Http.GetFromJsonAsync<JsonElement>("/v1/info");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
        Http?.Dispose();
    }
}
