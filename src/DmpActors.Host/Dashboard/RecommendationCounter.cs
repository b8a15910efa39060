using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;

namespace DmpActors.Host.Dashboard;

/// <summary>
/// Recommendation lists served (the engine's dmp.recommendations.served) and how long GET /v1/recommendations took as
/// ASP.NET Core measures every request (http.server.request.duration, the route's own): both as /metrics exports them.
/// </summary>
public sealed class RecommendationCounter : IDisposable
{
    private const string Served = "dmp.recommendations.served";
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";
    private const string Route = "/v1/recommendations/";
    /// <summary>Durations kept between two reads; beyond it the latest are dropped (the rate still counts them).</summary>
    private const int MaxDurations = 10_000;

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private List<double> _durationsMs = [];
    private long _served;

    public RecommendationCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name: reading RecommendationMetrics here would initialise it inside this callback, before its fields are set.
            if ((instrument.Meter.Name == DmpMetrics.MeterName && instrument.Name == Served) || (instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _served, value));
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.Start();
    }

    public long ServedTotal => Interlocked.Read(ref _served);

    /// <summary>The request durations (ms) measured since the previous call.</summary>
    public IReadOnlyList<double> TakeDurations()
    {
        lock (_gate)
        {
            var taken = _durationsMs;
            _durationsMs = [];
            return taken;
        }
    }

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key != "http.route") continue;
            if (tag.Value is string route && route.StartsWith(Route, StringComparison.Ordinal))
                lock (_gate)
                    if (_durationsMs.Count < MaxDurations) _durationsMs.Add(seconds * 1000);
            return;
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <param name="LatencyMsP50">Median duration of the requests answered since the previous sample; null when there were none.</param>
/// <param name="LatencyMsP95">Their 95th percentile (nearest rank).</param>
/// <param name="LatencyMsMax">The slowest of them.</param>
public sealed record RecommendationSample(double ServedPerSecond, long ServedTotal, int Requests, double? LatencyMsP50, double? LatencyMsP95, double? LatencyMsMax)
{
    public static RecommendationSample Of(long servedBefore, long servedNow, TimeSpan elapsed, IReadOnlyList<double> durationsMs)
    {
        var rate = PerSecond.Between(servedBefore, servedNow, elapsed);
        if (durationsMs.Count == 0) return new RecommendationSample(rate, servedNow, 0, null, null, null);
        var sorted = durationsMs.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new RecommendationSample(rate, servedNow, sorted.Length, Rank(0.5), Rank(0.95), sorted[^1]);
    }
}
