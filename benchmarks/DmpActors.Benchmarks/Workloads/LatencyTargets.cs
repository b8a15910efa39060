using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DmpActors.Benchmarks.Infra;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>Where the latency workload produces its events and how it sees their effect.</summary>
public interface ILatencyTarget : IAsyncDisposable
{
    string BootstrapServers { get; }
    string Topic { get; }
    int Partitions { get; }
    IEffectProbe Probe { get; }

    /// <summary>One line: what consumes the events (process, storage, settings).</summary>
    string Engine { get; }
}

/// <summary>The engine in this process, read with the in-process profile probe (no HTTP).</summary>
public sealed class InProcessTarget(InProcessEngine host) : ILatencyTarget
{
    public string BootstrapServers => host.BootstrapServers;
    public string Topic => host.Engine.Options.Kafka.EventsTopic;
    public int Partitions => host.Engine.Options.Kafka.Partitions;
    public IEffectProbe Probe { get; } = new ProfileProbe(host.Engine);
    public string Engine => "the engine in the benchmark's own process (embedded broker, ingest, SQLite, defaults)";

    public static async Task<InProcessTarget> StartAsync() => new(await InProcessEngine.StartAsync(ingest: true));

    public ValueTask DisposeAsync() => host.DisposeAsync();
}

/// <summary>
/// The product as users run it: <c>dotnet DmpActors.Host.dll</c> in its own process on the embedded default (embedded
/// broker, SQLite in a fresh data directory, HTTP API on loopback), read over HTTP with <see cref="HttpProfileProbe"/>.
/// </summary>
public sealed class HostProcessTarget : ILatencyTarget
{
    private const string EventsTopic = "dmp.events";
    private const int TopicPartitions = 6;
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly string _dataDir;
    private readonly HostOutput _output;

    private HostProcessTarget(Process process, HttpClient http, string dataDir, string bootstrap, HostOutput output)
    {
        _process = process;
        _http = http;
        _dataDir = dataDir;
        _output = output;
        BootstrapServers = bootstrap;
        Probe = new HttpProfileProbe(http);
    }

    public string BootstrapServers { get; }
    public string Topic => EventsTopic;
    public int Partitions => TopicPartitions;
    public IEffectProbe Probe { get; }

    /// <summary>A client of the host's HTTP API (no key needed on the embedded node).</summary>
    public HttpClient Http => _http;

    public string Engine => $"the host as a separate process (`dotnet DmpActors.Host.dll`, embedded default: embedded broker, SQLite, {TopicPartitions} partitions, server GC)";

    /// <summary>The host built beside this program (same configuration); the benchmarks project references it so it is built too.</summary>
    public static string DefaultHostDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        return Path.Combine(Report.RepoRoot, "src", "DmpActors.Host", "bin", configuration, "net10.0", "DmpActors.Host.dll");
    }

    public static async Task<HostProcessTarget> StartAsync(string hostDll)
    {
        if (!File.Exists(hostDll)) throw new FileNotFoundException($"the host is not built at {hostDll} (build DmpActors.sln, or pass --host-dll)", hostDll);
        var dataDir = Path.Combine(Path.GetTempPath(), "dmp-bench-host-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(hostDll)! };
        foreach (var a in new[]
                 {
                     // Port 0 for both: the host binds free ports itself and prints them (no window for another socket).
                     hostDll, "--urls", "http://127.0.0.1:0", "--Dmp:Kafka:BootstrapServers=127.0.0.1:0",
                     $"--Dmp:Kafka:Partitions={TopicPartitions}", $"--Dmp:Storage:DataDirectory={dataDir}",
                     "--Dmp:Ingest:PassivateAfter=01:00:00", "--Logging:LogLevel:Default=Warning",
                 })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var output = new HostOutput();
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var (httpUrl, bootstrap) = await output.BannerAsync(process, TimeSpan.FromSeconds(90));
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(httpUrl),
            Timeout = TimeSpan.FromSeconds(15),
        };
        var target = new HostProcessTarget(process, http, dataDir, bootstrap, output);
        await target.WaitReadyAsync(TimeSpan.FromSeconds(90));
        Console.WriteLine($"latency: host process {process.Id} ready at {http.BaseAddress}, broker {bootstrap}");
        return target;
    }


    private async Task WaitReadyAsync(TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the host exited with {_process.ExitCode} before it was ready:{Environment.NewLine}{_output.LastLines()}");
            try
            {
                using var ready = await _http.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (clock.Elapsed > patience) throw new TimeoutException($"the host was not ready within {patience.TotalSeconds:0} s:{Environment.NewLine}{_output.LastLines()}");
            await Task.Delay(200);
        }
    }


    public async ValueTask DisposeAsync()
    {
        // The run's data is thrown away: no orderly shutdown needed.
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The host's output: the last 40 lines for error messages, and the addresses its start-up banner names.</summary>
internal sealed class HostOutput
{
    private readonly Queue<string> _lastLines = new();
    private string? _http, _kafka;

    public void Add(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 40) _lastLines.Dequeue();
            // "  HTTP API      http://127.0.0.1:41234" and "  Kafka         127.0.0.1:40321 (embedded broker; ...)"
            var trimmed = line.Trim();
            if (trimmed.StartsWith("HTTP API", StringComparison.Ordinal)) _http ??= trimmed["HTTP API".Length..].Trim().Split(',')[0];
            if (trimmed.StartsWith("Kafka ", StringComparison.Ordinal)) _kafka ??= trimmed["Kafka".Length..].Trim().Split(' ')[0];
        }
    }

    public string LastLines() { lock (_lastLines) return string.Join(Environment.NewLine, _lastLines); }

    /// <summary>The bound HTTP URL and Kafka bootstrap address, once the banner has printed them.</summary>
    public async Task<(string Http, string Kafka)> BannerAsync(Process process, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lastLines)
                if (_http is not null && _kafka is not null) return (_http, _kafka);
            if (process.HasExited) throw new InvalidOperationException($"the host exited with {process.ExitCode} before it was ready:{Environment.NewLine}{LastLines()}");
            if (clock.Elapsed > patience) throw new TimeoutException($"the host printed no start-up banner within {patience.TotalSeconds:0} s:{Environment.NewLine}{LastLines()}");
            await Task.Delay(100);
        }
    }
}

/// <summary>The HTTP probe: <c>GET /v1/profiles/{id}</c> (answered by the user entity, read-your-writes) and its <c>events_applied</c>.</summary>
public sealed class HttpProfileProbe(HttpClient http) : IEffectProbe
{
    public string Name => "http";

    public string Description =>
        "`GET /v1/profiles/{id}` on the host's HTTP API (a separate process; the sharded user entity answers): the JSON's `events_applied` has reached the event's ordinal for that user (404 until the user's first event is applied)";

    public async Task<long> ObservedAsync(string userId, CancellationToken ct)
    {
        var path = "/v1/profiles/" + Uri.EscapeDataString(userId);
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return 0;
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return json.RootElement.GetProperty("events_applied").GetInt64();
    }
}
