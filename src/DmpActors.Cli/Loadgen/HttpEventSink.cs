using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>
/// POSTs JSON arrays of up to 500 events to the ingest API, a few requests in flight. A deliberately
/// malformed event goes alone, so it cannot spoil the batch it would otherwise sit in.
/// </summary>
public sealed class HttpEventSink : IEventSink
{
    public const int MaxBatch = 500;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly LoadgenTarget.Http _target;
    private readonly HttpClient _client;
    private readonly SemaphoreSlim _inFlight;
    private readonly List<Task> _requests = [];
    private readonly MemoryStream _batch = new();
    private int _batchCount;
    private long _batchStartedAt;
    private long _delivered;
    private long _rejected;
    private long _failed;
    private volatile string? _lastError;

    public HttpEventSink(LoadgenTarget.Http target)
    {
        _target = target;
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = target.Concurrency })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (target.ApiKey is not null) _client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + target.ApiKey);
        _inFlight = new SemaphoreSlim(target.Concurrency, target.Concurrency);
    }

    public long Delivered => Interlocked.Read(ref _delivered);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Failed => Interlocked.Read(ref _failed);
    public string? LastError => _lastError;

    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var endpoint = _target.EventsEndpoint;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TargetUnreachableException($"cannot reach {endpoint}: no connection within {timeout.TotalSeconds:0.#}s");
        }
        catch (SocketException e)
        {
            throw new TargetUnreachableException($"cannot reach {endpoint}: {e.Message}");
        }
    }

    public async ValueTask SendAsync(GeneratedEvent generated, CancellationToken cancellationToken)
    {
        if (generated.Type == GeneratedEvent.MalformedJson)
        {
            await PostAsync(generated.Json, 1, cancellationToken);
            return;
        }
        if (_batchCount == 0)
        {
            _batch.WriteByte((byte)'[');
            _batchStartedAt = Environment.TickCount64;
        }
        else
        {
            _batch.WriteByte((byte)',');
        }
        _batch.Write(generated.Json);
        if (++_batchCount >= MaxBatch) await ShipBatchAsync(cancellationToken);
    }

    public async ValueTask IdleAsync(CancellationToken cancellationToken)
    {
        if (_batchCount > 0 && Environment.TickCount64 - _batchStartedAt >= Linger.TotalMilliseconds)
            await ShipBatchAsync(cancellationToken);
    }

    public async Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_batchCount > 0) await ShipBatchAsync(cancellationToken);
        Task[] pending;
        lock (_requests) pending = [.. _requests];
        await Task.WhenAll(pending).WaitAsync(timeout, cancellationToken);
    }

    private async Task ShipBatchAsync(CancellationToken cancellationToken)
    {
        _batch.WriteByte((byte)']');
        var body = _batch.ToArray();
        var count = _batchCount;
        _batch.SetLength(0);
        _batchCount = 0;
        await PostAsync(body, count, cancellationToken);
    }

    /// <summary>Waits for a free request slot (back-pressure), then posts without waiting for the answer.</summary>
    private async Task PostAsync(byte[] body, int count, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        var request = Task.Run(async () =>
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = Json;
                using var response = await _client.PostAsync(_target.EventsEndpoint, content, CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref _delivered, count);
                    return;
                }
                // 4xx means the endpoint judged the events bad; 429 and 5xx mean it failed to take them.
                var refused = (int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests;
                Interlocked.Add(ref refused ? ref _rejected : ref _failed, count);
                _lastError = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Add(ref _failed, count);
                _lastError = e.Message;
            }
            finally
            {
                _inFlight.Release();
            }
        }, CancellationToken.None);
        lock (_requests)
        {
            _requests.RemoveAll(t => t.IsCompleted);
            _requests.Add(request);
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _inFlight.Dispose();
        _batch.Dispose();
        return ValueTask.CompletedTask;
    }
}
