using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Event;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Timers;

/// <summary>
/// Wakes the users whose timers are due: every <see cref="TimerOptions.PollInterval"/> it reads the store's due-time
/// index at the profile clock's time (so tests move time with their clock, and an event-time engine follows its
/// events) and sends each due user <see cref="FireTimers"/> through the shard region, which starts the entity where its
/// shard lives if it is not live. Nothing scans users: the index is ordered by due time. One service per cluster (a
/// singleton), because the index is one table and the shard region reaches every entity from any node.
/// </summary>
/// <remarks>A user stays in flight until its entity answers, which it does once the timers' changes are durable and
/// the index no longer says they are due; one that does not run a due timer (a failure, a timeout, nothing due by
/// the entity's clock) is left alone for <see cref="TimerOptions.RetryAfter"/>, so a stuck row costs one try per
/// period, not one per poll.</remarks>
public sealed class TimerService : ReceiveActor, IWithTimers
{
    private readonly IProfileStore _store;
    private readonly IActorRef _users;
    private readonly TimerOptions _options;
    private readonly TimeProvider _clock;
    private readonly TimeProvider _wall;
    private readonly Dictionary<string, DateTimeOffset> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _resting = new(StringComparer.Ordinal); // user → until (wall)
    private readonly List<IActorRef> _pollers = [];
    private bool _reading;
    private long _fired;

    public TimerService(IProfileStore store, IActorRef users, TimerOptions options, TimeProvider clock, TimeProvider wall)
    {
        _store = store;
        _users = users;
        _options = options;
        _clock = clock;
        _wall = wall;
        Receive<Poll>(_ => Read());
        Receive<PollTimers>(_ =>
        {
            _pollers.Add(Sender);
            Read();
        });
        Receive<DueLoaded>(Loaded);
        Receive<DueFailed>(failed =>
        {
            _reading = false;
            Context.GetLogger().Warning("Reading the due-time index failed ({0}); trying again in {1}", failed.Error, _options.PollInterval);
            AnswerPollers();
        });
        Receive<Woken>(Answered);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("poll", Poll.Instance, _options.PollInterval);

    private void Read()
    {
        if (_reading) return;
        _reading = true;
        var now = _clock.GetUtcNow();
        _store.LoadDueTimersAsync(now, _options.BatchSize).PipeTo(Self,
            success: due => new DueLoaded(due),
            failure: e => new DueFailed(e.GetBaseException().Message));
    }

    private void Loaded(DueLoaded loaded)
    {
        _reading = false;
        var wall = _wall.GetUtcNow();
        foreach (var (user, until) in _resting.ToList())
            if (until <= wall) _resting.Remove(user);
        foreach (var due in loaded.Due)
        {
            if (_inFlight.Count >= _options.MaxInFlight) break;
            if (_inFlight.ContainsKey(due.UserId) || _resting.ContainsKey(due.UserId)) continue;
            _inFlight[due.UserId] = due.DueAt;
            var user = due.UserId;
            _users.Ask<TimersFired>(new FireTimers(user), _options.FireTimeout).PipeTo(Self,
                success: fired => new Woken(user, fired.Fired, null),
                failure: e => new Woken(user, 0, e.GetBaseException().Message));
        }
        AnswerPollers();
    }

    private void Answered(Woken woken)
    {
        _inFlight.Remove(woken.UserId);
        _fired += woken.Fired;
        if (woken.Error is { } error)
            Context.GetLogger().Warning("Timers of {0} did not run ({1}); trying again in {2}",
                Observability.LogRedaction.UserRef(woken.UserId), error, _options.RetryAfter);
        if (woken.Fired == 0) _resting[woken.UserId] = _wall.GetUtcNow() + _options.RetryAfter;
        AnswerPollers();
    }

    /// <summary>A <see cref="PollTimers"/> is answered once its read is done and every user it woke has answered.</summary>
    private void AnswerPollers()
    {
        if (_reading || _inFlight.Count > 0 || _pollers.Count == 0) return;
        foreach (var poller in _pollers) poller.Tell(new TimersPolled(_fired));
        _pollers.Clear();
    }

    public static Props Props(IProfileStore store, IActorRef users, TimerOptions options, TimeProvider clock, TimeProvider wall) =>
        Akka.Actor.Props.Create(() => new TimerService(store, users, options, clock, wall));

    private sealed record Poll
    {
        public static readonly Poll Instance = new();
    }

    private sealed record DueLoaded(IReadOnlyList<DueTimer> Due);

    private sealed record DueFailed(string Error);

    private sealed record Woken(string UserId, int Fired, string? Error);
}

public static class TimerServiceSingleton
{
    /// <summary>Starts the cluster's one service (on the oldest node; it moves when that node leaves) and returns a proxy.</summary>
    public static IActorRef Start(ActorSystem system, IProfileStore store, IActorRef users, TimerOptions options, TimeProvider clock, TimeProvider wall)
    {
        system.ActorOf(ClusterSingletonManager.Props(TimerService.Props(store, users, options, clock, wall), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system)), "timer-service");
        return system.ActorOf(ClusterSingletonProxy.Props("/user/timer-service", ClusterSingletonProxySettings.Create(system)),
            "timer-service-proxy");
    }
}

/// <summary>Reads the due-time index now and answers <see cref="TimersPolled"/> once every user it woke has answered
/// (tests and operators: "run what is due").</summary>
public sealed record PollTimers : Serialization.IWireMessage
{
    public static readonly PollTimers Instance = new();
}

/// <param name="Fired">Timers run since the service started.</param>
public sealed record TimersPolled(long Fired) : Serialization.IWireMessage;
