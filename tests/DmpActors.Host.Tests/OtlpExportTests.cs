using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace DmpActors.Host.Tests;

public sealed class OtlpExportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OTLP_http_export_delivers_our_metrics_and_the_trace_a_caller_started_on_POST_v1_events()
    {
        // Given a collector stand-in that records every OTLP/HTTP request, and a node (a real process)
        // exporting to it with a sample ratio of 0, so only the caller's sampled trace can be recorded
        await using var collector = await OtlpReceiver.StartAsync();
        using var data = new TempDir();
        await using var node = await HostProcess.StartAsync(
            "--Dmp:Kafka:BootstrapServers=127.0.0.1:0", "--Dmp:Node:Port=0", $"--Dmp:Storage:DataDirectory={data.Path}",
            "--Dmp:Ingest:CheckpointInterval=00:00:00.200",
            $"--Dmp:Telemetry:OtlpEndpoint={collector.Endpoint}", "--Dmp:Telemetry:OtlpSignals=metrics,traces",
            "--Dmp:Telemetry:ExportInterval=00:00:00.500", "--Dmp:Telemetry:TraceSampleRatio=0");
        var http = node.Http;

        // When a caller posts an event inside its own sampled trace
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Events.Json(Events.PageView("otlp-event-1", "otlp-user")) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request)).StatusCode);

        // Then protobuf metric exports arrive at /v1/metrics with our instruments in them
        await Wait.Until(() => Task.FromResult(collector.Received("/v1/metrics").Any(b => Contains(b, "dmp.events.applied") && Contains(b, "dmp.kafka.consumer.lag"))),
            Patience, "an OTLP metrics export naming dmp.events.applied and dmp.kafka.consumer.lag");
        Assert.All(collector.ContentTypes, t => Assert.Equal("application/x-protobuf", t));

        // And the caller's trace arrives at /v1/traces through consume, apply and the durable write, naming the event
        var traceIdBytes = Convert.FromHexString(traceId.ToHexString());
        await Wait.Until(() => Task.FromResult(collector.Received("/v1/traces").Any(b => Contains(b, "dmp.profile.durable"))),
            Patience, "an OTLP traces export with the durable span");
        var traces = collector.Received("/v1/traces").Where(b => b.AsSpan().IndexOf(traceIdBytes) >= 0).ToList();
        foreach (var span in new[] { "dmp.ingest.consume", "dmp.profile.apply", "dmp.profile.durable", "otlp-event-1" })
            Assert.Contains(traces, b => Contains(b, span));
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>A real HTTP server on loopback that accepts OTLP/HTTP posts like a collector would.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
        private readonly ConcurrentQueue<string> _contentTypes = new();
        private readonly Task _serving;

        private OtlpReceiver(int port)
        {
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string Endpoint { get; }
        public IEnumerable<string> ContentTypes => _contentTypes;

        public IReadOnlyList<byte[]> Received(string path) => _requests.Where(r => r.Path == path && r.Body.Length > 0).Select(r => r.Body).ToList();

        public static Task<OtlpReceiver> StartAsync() => Task.FromResult(new OtlpReceiver(Ports.Free()));

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (!_listener.IsListening) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _contentTypes.Enqueue(context.Request.ContentType ?? "");
                _requests.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
            _listener.Close();
        }
    }
}
