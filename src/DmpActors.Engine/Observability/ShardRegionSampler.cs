using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Observability;

/// <summary>
/// Asks this node's shard region for its state every interval (never per event) and keeps the last
/// answer for the dmp.sharding.* gauges, which a scrape or an export reads without asking anything.
/// </summary>
public sealed class ShardRegionSampler : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ShardRegionSampler, bool> Live = new();
    // The region asks every shard; a busy or handing-off shard may take seconds, whatever the interval.
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly IActorRef _region;
    private readonly string _typeName;
    private readonly string _node;
    private readonly TimeSpan _interval;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private volatile RegionCounts? _last;

    private ShardRegionSampler(IActorRef region, string typeName, string node, TimeSpan interval, ILogger log)
    {
        _region = region;
        _typeName = typeName;
        _node = node;
        _interval = interval;
        _log = log;
        Live[this] = true;
        _loop = Task.Run(RunAsync);
    }

    public static ShardRegionSampler Start(IActorRef region, string typeName, string node, TimeSpan interval, ILogger log) =>
        new(region, typeName, node, interval, log);

    /// <summary>The last sample; null until the region first answered.</summary>
    public RegionCounts? Last => _last;

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                var stats = await _region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, AskTimeout, _stopping.Token);
                _last = new RegionCounts(stats.Stats.Count, stats.Stats.Values.Sum());
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                // The gauges keep the last sample; a region busy handing off answers next time.
                _log.LogDebug(ex, "Shard region {Type} did not report its state", _typeName);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (await WaitNext(timer));
    }

    private async Task<bool> WaitNext(PeriodicTimer timer)
    {
        try { return await timer.WaitForNextTickAsync(_stopping.Token); }
        catch (OperationCanceledException) { return false; }
    }

    internal static IEnumerable<Measurement<long>> Observe(Func<RegionCounts, long> value)
    {
        foreach (var sampler in Live.Keys)
            if (sampler._last is { } counts)
                yield return new Measurement<long>(value(counts),
                    new KeyValuePair<string, object?>("type", sampler._typeName),
                    new KeyValuePair<string, object?>("node", sampler._node));
    }

    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(this, out _);
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }
}

public sealed record RegionCounts(int Shards, int Entities);
