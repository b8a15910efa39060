using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// One live user. Loads its state once, applies events with the pure reducer, answers reads from
/// memory (read-your-writes) and makes its state durable when a checkpoint asks (or before it stops).
/// </summary>
public sealed class UserActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly string _userId;
    private readonly IActorRef _loader;
    private readonly IActorRef _writer;
    private readonly UserActorSettings _settings;
    private readonly long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private UserProfile _profile;
    private long _version;       // grows with every change; the store keeps the highest
    private long _savedVersion;  // highest version known durable
    private long _savingVersion; // highest version handed to the writer
    private bool _stopping;
    private List<TracedEvent>? _traced; // traced events since the last save: their traces get the durable span

    public UserActor(string userId, IActorRef loader, IActorRef writer, UserActorSettings settings)
    {
        _userId = userId;
        _loader = loader;
        _writer = writer;
        _settings = settings;
        _profile = UserProfile.Empty(userId);
        Loading();
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    private bool Dirty => _version > _savedVersion;

    protected override void PreStart()
    {
        _loader.Tell(new LoadProfile(_userId));
        DmpMetrics.ActiveUsers.Add(1);
    }

    protected override void PostStop() => DmpMetrics.ActiveUsers.Add(-1);

    private void Loading()
    {
        Receive<ProfileLoaded>(loaded =>
        {
            if (loaded.State is not null)
            {
                _profile = ProfileCodec.Decode(loaded.State);
                _version = _savedVersion = _savingVersion = loaded.Version;
            }
            Become(Active);
            Stash.UnstashAll();
        });
        Receive<ProfileLoadFailed>(failed =>
        {
            _log.Warning("Loading profile of {0} failed ({1}); retrying in {2}", LogRedaction.UserRef(_userId), failed.Error, _settings.RetryDelay);
            Timers.StartSingleTimer("load-retry", new RetryLoad(), _settings.RetryDelay);
        });
        Receive<RetryLoad>(_ => _loader.Tell(new LoadProfile(_userId)));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Active()
    {
        Receive<ApplyEvent>(apply =>
        {
            using var span = DmpTracing.StartApply(apply.TraceParent, apply.Event.EventId);
            var result = ProfileReducer.Apply(_profile, apply.Event, apply.Position);
            _traced = DmpTracing.Applied(span, result.Outcome, apply.Event.EventId, _traced);
            // A duplicate with a new position still advances the replay mark, so keep its profile
            // too; only a replay returns the very same instance.
            if (!ReferenceEquals(result.Profile, _profile))
            {
                _profile = result.Profile;
                _version++;
            }
            Sender.Tell(new EventApplied(apply.DeliveryId, _incarnation, result.Outcome));
        });
        Receive<GetProfile>(_ => Sender.Tell(new ProfileReply(_userId, _profile.EventsApplied > 0 ? _profile : null)));
        Receive<FlushProfile>(flush =>
        {
            if (flush.Incarnation != _incarnation)
                Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, false, "entity restarted since the events were applied"));
            else if (!Dirty)
                Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, true, null));
            else
                Save(Sender, flush.CheckpointId);
        });
        Receive<ProfileSaved>(saved =>
        {
            _savedVersion = Math.Max(_savedVersion, saved.Version);
            if (_stopping) StopWhenClean();
        });
        Receive<ProfileSaveFailed>(failed =>
        {
            _savingVersion = _savedVersion;
            if (_stopping)
                Timers.StartSingleTimer("stop-retry", StopUser.Instance, _settings.RetryDelay);
        });
        // Sent by the shard when the user has been idle (passivate-idle-entity-after) and on hand-off.
        Receive<StopUser>(_ =>
        {
            _stopping = true;
            StopWhenClean();
        });
    }

    private void StopWhenClean()
    {
        if (!Dirty) Context.Stop(Self);
        else if (_savingVersion < _version) Save(null, 0);
    }

    private void Save(IActorRef? requester, long checkpointId)
    {
        _savingVersion = _version;
        _writer.Tell(new SaveProfile(_userId, ProfileCodec.Encode(_profile), _version, Self, requester, checkpointId, _traced));
        _traced = null;
    }

    private sealed record RetryLoad;

    public static Props Props(string userId, IActorRef loader, IActorRef writer, UserActorSettings settings) =>
        Akka.Actor.Props.Create(() => new UserActor(userId, loader, writer, settings));
}

public sealed record UserActorSettings(TimeSpan RetryDelay)
{
    public static readonly UserActorSettings Default = new(TimeSpan.FromSeconds(1));
}
