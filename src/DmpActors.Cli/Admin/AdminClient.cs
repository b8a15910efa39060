using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace DmpActors.Cli.Admin;

/// <summary>A failed call, already worded for the operator: one line and the exit code that goes with it.</summary>
public sealed class AdminException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>HTTP calls to one node's API, turning every failure into an <see cref="AdminException"/>.</summary>
public sealed class AdminClient : IDisposable
{
    public const int ExitFailed = 1;
    public const int ExitUnreachable = 2;
    public const int ExitUnauthorized = 3;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly HttpClient _http;

    public AdminClient(Uri node, string? apiKey)
    {
        Node = node;
        // Streams (cluster tail) must outlive a request timeout, so timeouts are per call instead.
        _http = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };
        // Unvalidated: a key with odd characters should reach the node and be refused there, not crash here.
        if (apiKey is not null) _http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + apiKey);
    }

    public Uri Node { get; }

    public Task<T> GetAsync<T>(string path, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, path, ct);

    public async Task<T> SendAsync<T>(HttpMethod method, string path, CancellationToken ct) =>
        await ReadAsync<T>(await SendAsync(new HttpRequestMessage(method, path), ct), ct);

    public async Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) =>
        await ReadAsync<T>(await SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) }, ct), ct);

    /// <summary>A response whose body is read as it arrives (an export), for the caller to dispose; failures as for every call.</summary>
    public Task<HttpResponseMessage> GetStreamingAsync(string path, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct, HttpCompletionOption.ResponseHeadersRead);
    public async Task<T> PutAsync<T>(string path, HttpContent body, CancellationToken ct) =>
        await ReadAsync<T>(await SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = body }, ct), ct);

    /// <summary>Server-sent events: each "data:" payload as it arrives, until the node closes the stream or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await ReadLineAsync(reader, ct) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
                yield return JsonSerializer.Deserialize<T>(line["data:".Length..].Trim(), Json)!;
        }
    }

    private async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try { return await reader.ReadLineAsync(ct); }
        catch (IOException ex) when (!ct.IsCancellationRequested) { throw Unreachable(ex); }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (completion == HttpCompletionOption.ResponseContentRead) timeout.CancelAfter(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AdminException(ExitUnreachable, $"the node at {Node} did not answer within {RequestTimeout.TotalSeconds:0} s");
        }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await FailureAsync(request, response, ct);
    }

    private AdminException Unreachable(Exception ex)
    {
        var reason = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
        return new AdminException(ExitUnreachable, $"cannot reach the node at {Node} ({reason}); is it running? (--host host:port)");
    }

    private async Task<AdminException> FailureAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        Problem? problem = null;
        try { problem = JsonSerializer.Deserialize<Problem>(body, Json); } catch (JsonException) { }
        var what = problem?.Title is { } title
            ? title + (problem.Detail is { } detail ? ": " + detail : "")
            : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new AdminException(ExitUnauthorized, $"the node at {Node} refused the API key: {what}"),
            HttpStatusCode.Forbidden => new AdminException(ExitUnauthorized, $"the node at {Node} refused the API key's role: {what}"),
            _ => new AdminException(ExitFailed, $"{request.Method} {request.RequestUri}: {what}"),
        };
    }

    /// <summary>An empty body (204) reads as default.</summary>
    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            if (response.Content.Headers.ContentLength == 0) return default!;
            return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
        }
    }

    public void Dispose() => _http.Dispose();
}
