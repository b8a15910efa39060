using System.Threading.Channels;
using DmpActors.Engine.Admin;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;

namespace DmpActors.Host.Dashboard;

/// <summary>
/// Takes a <see cref="DashboardSample"/> every <see cref="Interval"/>, keeps the last <see cref="HistoryLength"/> of them
/// (so a page opened now starts with five minutes of history) and hands each new one to every open stream.
/// </summary>
public sealed class DashboardFeed(DmpRuntime runtime, TimeProvider clock, ILogger<DashboardFeed> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public const int HistoryLength = 300;
    /// <summary>Shard statistics ask every node; they are gathered this often, not every sample.</summary>
    private static readonly TimeSpan ShardStatsInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShardStatsTimeout = TimeSpan.FromSeconds(3);

    private readonly StreamCounters _counters = new(runtime.Options.Kafka.EventsTopic);
    private readonly SegmentChangeCounter _segmentChanges = new();
    private readonly RecommendationCounter _recommendations = new();
    private readonly Queue<DashboardSample> _history = new();
    private readonly List<ChannelWriter<DashboardSample>> _subscribers = [];
    private readonly Lock _gate = new();
    private IReadOnlyList<RegionStats>? _regions;
    private Task? _gatheringShards;
    private DateTimeOffset _shardsGatheredAt = DateTimeOffset.MinValue;

    /// <summary>The history so far and every sample after it, until <paramref name="ct"/> is cancelled.</summary>
    public (IReadOnlyList<DashboardSample> History, ChannelReader<DashboardSample> Live) Subscribe(CancellationToken ct)
    {
        // A reader that falls behind loses its oldest samples, never slows the feed or another reader.
        var channel = Channel.CreateBounded<DashboardSample>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel.Writer);
            ct.Register(() =>
            {
                lock (_gate) _subscribers.Remove(channel.Writer);
                channel.Writer.TryComplete();
            });
            return (_history.ToList(), channel.Reader);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        var before = _counters.Read();
        var segmentsBefore = _segmentChanges.Read();
        var servedBefore = _recommendations.ServedTotal;
        var beforeAt = clock.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = clock.GetUtcNow();
                var totals = _counters.Read();
                var segments = _segmentChanges.Read();
                var served = _recommendations.ServedTotal;
                try
                {
                    var features = new FeatureSamples(SegmentChangeSample.Between(segmentsBefore, segments, now - beforeAt),
                        RecommendationSample.Of(servedBefore, served, now - beforeAt, _recommendations.TakeDurations()));
                    Publish(Take(now, StreamRates.Between(before, totals, now - beforeAt), totals, features));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The engine stopping under a sample (its actor system gone): skip this second, never stop the host.
                    log.LogDebug("Dashboard: sample skipped: {Error}", e.Message);
                }
                (before, segmentsBefore, servedBefore, beforeAt) = (totals, segments, served, now);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_gate) foreach (var subscriber in _subscribers) subscriber.TryComplete();
            _counters.Dispose();
            _segmentChanges.Dispose();
            _recommendations.Dispose();
        }
    }

    private void Publish(DashboardSample sample)
    {
        lock (_gate)
        {
            _history.Enqueue(sample);
            while (_history.Count > HistoryLength) _history.Dequeue();
            foreach (var subscriber in _subscribers) subscriber.TryWrite(sample);
        }
    }

    private sealed record FeatureSamples(IReadOnlyList<SegmentChangeSample> SegmentChanges, RecommendationSample Recommendations);

    private DashboardSample Take(DateTimeOffset now, StreamRates rates, StreamTotals totals, FeatureSamples features)
    {
        var engine = runtime.Started ? runtime.Engine : null;
        if (engine is not null) _segmentChanges.Watch(engine.SegmentChanges);
        var status = engine?.Ingest?.Status;
        var checkpoint = new CheckpointSample(status?.LastCheckpointAt is { } at ? Math.Max(0, (now - at).TotalSeconds) : null,
            totals.LastCheckpointMs, totals.Checkpoints);
        return new DashboardSample(now, rates.Consumed, rates.Applied, rates.Rejected, rates.RejectedByReason,
            totals.Consumed, totals.Applied, totals.RejectedByReason,
            _counters.ReadLag().Select(l => new PartitionLagSample(l.Key, l.Value)).ToList(),
            checkpoint, status?.Running, engine is null ? null : Cluster(new ClusterAdmin(engine.System), now),
            features.SegmentChanges, features.Recommendations);
    }

    private ClusterSample Cluster(ClusterAdmin admin, DateTimeOffset now)
    {
        if (now - _shardsGatheredAt >= ShardStatsInterval && _gatheringShards is null or { IsCompleted: true })
        {
            _shardsGatheredAt = now;
            _gatheringShards = GatherShardsAsync(admin);
        }
        var view = admin.Show();
        var regions = _regions;
        var singleton = admin.Summary().FirstOrDefault(m => m.Status == "Up")?.Address;
        return new ClusterSample(view.Self, view.Leader, singleton,
            view.Members.Select(m => NodeSample.From(m, regions?.FirstOrDefault(r => r.Address == m.Address))).ToList());
    }

    private async Task GatherShardsAsync(ClusterAdmin admin)
    {
        try
        {
            _regions = await admin.ShardStatsAsync(DmpEngine.UserTypeName, ShardStatsTimeout, CancellationToken.None);
        }
        catch (Exception e)
        {
            // A busy or stopping cluster: the last counts stay on screen, and the next gathering tries again.
            log.LogDebug("Dashboard: shard statistics unavailable: {Error}", e.Message);
        }
    }
}
