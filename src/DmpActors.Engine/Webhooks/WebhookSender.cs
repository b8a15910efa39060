using System.Diagnostics;
using System.Net;
using System.Text;
using DmpActors.Domain.Webhooks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using StandardWebhooks;

namespace DmpActors.Engine.Webhooks;

/// <summary>
/// Delivers messages to one endpoint: each attempt signed the Standard Webhooks way, inside a Polly pipeline of
/// retries (exponential backoff with jitter, Retry-After on 429 and 503), the endpoint's own circuit breaker, and a
/// timeout per attempt. The message id is the same on every attempt; the timestamp is the attempt's, so a subscriber's
/// tolerance window judges each attempt fairly even hours into a redelivery.
/// </summary>
public sealed class WebhookSender
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly StandardWebhook _signer;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeProvider _clock;
    private readonly CircuitBreakerStateProvider _circuit = new();

    public WebhookSender(HttpClient http, WebhookSubscription subscription, WebhookDeliverySettings settings, TimeProvider clock)
    {
        _http = http;
        _url = new Uri(subscription.Url);
        _signer = new StandardWebhook(subscription.Secret);
        _clock = clock;
        _pipeline = Build(settings, clock, _circuit);
    }

    /// <summary>The endpoint's circuit breaker as the API names it: closed, open, half-open or isolated.</summary>
    public string Circuit => _circuit.CircuitState switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        _ => "closed",
    };

    public async Task<DeliveryOutcome> SendAsync(WebhookMessage message, CancellationToken ct)
    {
        var attempts = 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                Interlocked.Increment(ref attempts);
                using var request = Sign(message);
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            }, ct);
            var code = (int)response.StatusCode;
            return new DeliveryOutcome(message.Id, response.IsSuccessStatusCode, attempts, code, Elapsed(started),
                response.IsSuccessStatusCode ? null : $"HTTP {code}", _clock.GetUtcNow());
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(message.Id, false, attempts, null, Elapsed(started), Describe(e), _clock.GetUtcNow());
        }
    }

    public HttpRequestMessage Sign(WebhookMessage message)
    {
        var now = _clock.GetUtcNow();
        var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", message.Id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", _signer.Sign(message.Id, now, message.Body));
        return request;
    }

    /// <summary>Statuses worth another attempt; any other non-2xx (a 400, 401, 404...) goes to the dead letters at once.</summary>
    public static bool IsTransient(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code is 425 or >= 500;

    private static ResiliencePipeline<HttpResponseMessage> Build(WebhookDeliverySettings s, TimeProvider clock,
        CircuitBreakerStateProvider circuit)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .Handle<BrokenCircuitException>()
            .HandleResult(r => IsTransient(r.StatusCode));
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (s.MaxAttempts > 1) // Polly's retry needs at least one retry; one attempt is no retry strategy at all
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = s.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = s.BaseDelay,
                MaxDelay = s.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, s.MaxRetryAfter, clock)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>().Handle<TimeoutRejectedException>().HandleResult(r => (int)r.StatusCode >= 500),
                FailureRatio = s.BreakerFailureRatio,
                MinimumThroughput = s.BreakerMinimumThroughput,
                SamplingDuration = s.BreakerSampling,
                BreakDuration = s.BreakDuration,
                StateProvider = circuit,
            })
            .AddTimeout(s.AttemptTimeout)
            .Build();
    }

    /// <summary>The wait a 429 or 503 asks for (seconds or an HTTP date), at most <paramref name="max"/>; null otherwise.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max, TimeProvider clock)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        if (wait is not { } w) return null;
        return w < TimeSpan.Zero ? TimeSpan.Zero : w > max ? max : w;
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException => "attempt timed out",
        BrokenCircuitException => "circuit open: the endpoint failed too often",
        HttpRequestException h => h.HttpRequestError is var kind && kind != HttpRequestError.Unknown ? $"{kind}: {h.Message}" : h.Message,
        _ => e.Message,
    };
}
