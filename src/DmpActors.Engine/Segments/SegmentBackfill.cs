using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Segments;

/// <summary>
/// Applies a new segment set to every stored user, not only to those who send an event: when the node's
/// <see cref="SegmentRegistry"/> publishes a newer revision, walks every stored id (<see cref="IProfileStore.ScanIdsAsync"/>)
/// and asks each user's entity, through the shard region, to <see cref="EvaluateSegments"/>. At most
/// <see cref="BackfillOptions.MaxInFlight"/> asks are awaited at once and at most <see cref="BackfillOptions.UsersPerSecond"/>
/// are sent, so ingest keeps its share of the entities and the store. A newer revision stops the walk and starts
/// again from the first id. One per cluster (a singleton); its progress answers <see cref="GetBackfillProgress"/>.
/// </summary>
public sealed class SegmentBackfill : ReceiveActor, IWithTimers
{
    private const string PumpTimer = "pump";
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan RetryPageAfter = TimeSpan.FromSeconds(1);

    private readonly IProfileStore _store;
    private readonly IActorRef _users;
    private readonly SegmentRegistry _registry;
    private readonly BackfillOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BackfillPace _pace;
    private readonly long _startedTicks = Stopwatch.GetTimestamp();
    private Action<SegmentSet>? _onChanged;
    private BackfillWalk? _walk;
    private int _walks;
    private long _restarts;

    /// <summary>Asks awaited now, of every walk: a stopped walk's asks still hold entities until they answer.</summary>
    private int _inFlight;

    public ITimerScheduler Timers { get; set; } = null!;

    public SegmentBackfill(IProfileStore store, IActorRef users, SegmentRegistry registry, BackfillOptions options, TimeProvider clock)
    {
        (_store, _users, _registry, _options, _clock) = (store, users, registry, options, clock);
        _pace = new BackfillPace(options.UsersPerSecond);
        Receive<RevisionPublished>(published => OnRevision(published.Revision));
        Receive<Pump>(_ => Run());
        Receive<TotalCounted>(counted =>
        {
            if (Current(counted.Walk) is { } walk) walk.Total = Math.Max(walk.Total, counted.Total);
        });
        Receive<PageLoaded>(OnPage);
        Receive<Evaluated>(OnEvaluated);
        Receive<GetBackfillProgress>(_ => Sender.Tell(Progress()));
    }

    public static Props Props(IProfileStore store, IActorRef users, SegmentRegistry registry, BackfillOptions options, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new SegmentBackfill(store, users, registry, options, clock ?? TimeProvider.System));

    protected override void PreStart()
    {
        var self = Self;
        _onChanged = set => self.Tell(new RevisionPublished(set.Revision));
        _registry.Changed += _onChanged;
        // A set published before this singleton started (or while it moved between nodes) is walked now.
        if (_registry.Current.Revision > 0) OnRevision(_registry.Current.Revision);
    }

    protected override void PostStop()
    {
        if (_onChanged is not null) _registry.Changed -= _onChanged;
    }

    private void OnRevision(long revision)
    {
        if (_walk is { } current && revision <= current.Revision) return;
        if (_walk is { FinishedAt: null } stopped)
        {
            _restarts++;
            _log.Info("Segment backfill for revision {0} stopped at {1}/{2} users: revision {3} was published", stopped.Revision, stopped.Done,
                stopped.Total, revision);
        }
        var walk = _walk = new BackfillWalk(++_walks, revision, _clock.GetUtcNow(), Stopwatch.GetTimestamp());
        _log.Info("Segment backfill for revision {0} started", revision);
        _store.CountAsync().PipeTo(Self, success: total => new TotalCounted(walk.Id, total), failure: _ => new TotalCounted(walk.Id, 0));
        Timers.StartPeriodicTimer(PumpTimer, Pump.Instance, PumpInterval);
        Run();
    }

    /// <summary>Keeps a page of ids ahead, and sends as many as the in-flight bound and the pace allow.</summary>
    private void Run()
    {
        if (_walk is not { FinishedAt: null } walk) return;
        var now = Now;
        if (!walk.Loading && !walk.Exhausted && walk.Queue.Count < _options.PageSize && now >= walk.LoadAfter) LoadPage(walk);
        var granted = _pace.Take(now, Math.Min(walk.Queue.Count, _options.MaxInFlight - _inFlight));
        for (var i = 0; i < granted; i++) Send(walk, walk.Queue.Dequeue());
        if (walk is { Exhausted: true, Queue.Count: 0, Pending: 0 }) Complete(walk);
    }

    private void LoadPage(BackfillWalk walk)
    {
        walk.Loading = true;
        _store.ScanIdsAsync(walk.After, _options.PageSize).PipeTo(Self,
            success: ids => new PageLoaded(walk.Id, ids, null),
            failure: e => new PageLoaded(walk.Id, [], e.GetBaseException().Message));
    }

    private void OnPage(PageLoaded page)
    {
        if (Current(page.Walk) is not { } walk) return;
        walk.Loading = false;
        if (page.Error is { } error)
        {
            _log.Warning("Segment backfill could not read stored ids ({0}); trying again in {1} s", error, RetryPageAfter.TotalSeconds);
            walk.LoadAfter = Now + RetryPageAfter;
            return;
        }
        foreach (var id in page.Ids) walk.Queue.Enqueue(id);
        if (page.Ids.Count > 0) walk.After = page.Ids[^1];
        walk.Exhausted = page.Ids.Count < _options.PageSize;
        Run();
    }

    private void Send(BackfillWalk walk, string userId)
    {
        walk.Pending++;
        _inFlight++;
        var id = walk.Id;
        _users.Ask<SegmentsEvaluated>(new EvaluateSegments(userId, walk.Revision), _options.EvaluationTimeout).PipeTo(Self,
            success: evaluated => new Evaluated(id, userId, evaluated.Changes, null),
            failure: e => new Evaluated(id, userId, 0, e.GetBaseException().Message));
    }

    /// <summary>An answer frees its slot whichever walk sent it; it counts only in the walk that is still current.</summary>
    private void OnEvaluated(Evaluated answer)
    {
        _inFlight--;
        if (Current(answer.Walk) is not { } walk) return;
        walk.Pending--;
        walk.Done++;
        walk.Changes += answer.Changes;
        if (answer.Error is { } error && walk.Failed++ < 10)
            _log.Warning("Segment backfill: re-evaluating a user failed ({0}); the walk goes on", error);
        Run();
    }

    private void Complete(BackfillWalk walk)
    {
        walk.FinishedAt = _clock.GetUtcNow();
        walk.Total = Math.Max(walk.Total, walk.Done);
        Timers.Cancel(PumpTimer);
        _log.Info("Segment backfill for revision {0} completed: {1} users, {2} membership changes, {3} failed, {4:0} users/s",
            walk.Revision, walk.Done, walk.Changes, walk.Failed, walk.Rate);
    }

    private BackfillWalk? Current(int walkId) => _walk is { } walk && walk.Id == walkId && walk.FinishedAt is null ? walk : null;

    private TimeSpan Now => Stopwatch.GetElapsedTime(_startedTicks);

    private BackfillProgress Progress() => _walk is not { } walk
        ? BackfillProgress.Idle
        : new BackfillProgress(walk.FinishedAt is null ? "running" : "completed", walk.Revision, walk.Done, Math.Max(walk.Total, walk.Done),
            walk.Changes, walk.Failed, walk.StartedAt, walk.FinishedAt, Math.Round(walk.Rate, 1), _inFlight, _restarts);

    /// <summary>One walk over the stored ids for one revision; only the actor touches it.</summary>
    private sealed class BackfillWalk(int id, long revision, DateTimeOffset startedAt, long startedTicks)
    {
        public int Id { get; } = id;
        public long Revision { get; } = revision;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset? FinishedAt { get; set; }
        public Queue<string> Queue { get; } = new();
        public string? After { get; set; }
        public bool Loading { get; set; }
        public bool Exhausted { get; set; }
        public TimeSpan LoadAfter { get; set; }
        public int Pending { get; set; }
        public long Done { get; set; }
        public long Total { get; set; }
        public long Changes { get; set; }
        public long Failed { get; set; }
        private TimeSpan? _took;

        public double Rate
        {
            get
            {
                if (FinishedAt is not null) _took ??= Stopwatch.GetElapsedTime(startedTicks);
                var seconds = (_took ?? Stopwatch.GetElapsedTime(startedTicks)).TotalSeconds;
                return seconds > 0 ? Done / seconds : 0;
            }
        }
    }

    private sealed record RevisionPublished(long Revision);

    private sealed record Pump
    {
        public static readonly Pump Instance = new();
    }

    private sealed record TotalCounted(int Walk, long Total);

    private sealed record PageLoaded(int Walk, IReadOnlyList<string> Ids, string? Error);

    private sealed record Evaluated(int Walk, string UserId, int Changes, string? Error);
}
