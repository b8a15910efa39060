using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// One live user. Loads its state once, applies events with the pure reducer, answers reads from
/// memory (read-your-writes) and makes its state durable when a checkpoint asks (or before it stops).
/// Identity stitching, erasure and tombstone forwarding are in UserActor.Identity.cs.
/// </summary>
/// <remarks>
/// An untyped actor whose behaviours are methods with a type switch: there is one entity per live user, and a
/// ReceiveActor would build a table of ~20 handler delegates for each (about 1.9 KB per entity, and work at every
/// start and every Become). Unknown messages go to <see cref="ActorBase.Unhandled"/>, as a ReceiveActor's would.
/// </remarks>
public sealed partial class UserActor : UntypedActor, IWithStash, IWithTimers
{
    private readonly string _userId;
    private readonly IActorRef _loader;
    private readonly IActorRef _writer;
    private readonly IProfileStore _store;
    private readonly UserActorSettings _settings;
    private long _incarnation = NewIncarnation(); // this life; a new one when it isolates itself
    private ILoggingAdapter? _log; // created on first use: most entities never log
    private UserProfile _profile;
    private IdentityState _identity = IdentityState.Empty;
    private long _version;       // grows with every change; the store keeps the highest
    private long _savedVersion;  // highest version known durable
    private long _savingVersion; // highest version handed to the writer
    private long _loadedVersion; // the stored version this incarnation started from
    private bool _stopping;
    private List<TracedEvent>? _traced; // traced events since the last save: their traces get the durable span

    public UserActor(string userId, IActorRef loader, IActorRef writer, IProfileStore store, UserActorSettings settings)
    {
        _userId = userId;
        _loader = loader;
        _writer = writer;
        _store = store;
        _settings = settings;
        _profile = UserProfile.Empty(userId);
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    private bool Dirty => _version > _savedVersion;

    private ILoggingAdapter Log => _log ??= Context.GetLogger();

    protected override void PreStart()
    {
        _loader.Tell(new LoadProfile(_userId));
        DmpMetrics.ActiveUsers.Add(1);
    }

    protected override void PostStop() => DmpMetrics.ActiveUsers.Add(-1);

    /// <summary>The first behaviour: waiting for the stored state; everything else waits in the stash.</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ProfileLoaded loaded:
                _version = _savedVersion = _savingVersion = _loadedVersion = _storedVersion = loaded.State is null ? 0 : loaded.Version;
                try
                {
                    if (loaded.State is not null) _profile = ProfileCodec.Decode(loaded.State);
                    _identity = IdentityCodec.Decode(loaded.Identity);
                }
                catch (Exception ex)
                {
                    // A corrupt row or one written by a newer codec: no retry can help, and guessing would overwrite it.
                    Isolate(IsolationKind.Undecodable, $"stored profile version {loaded.Version} cannot be decoded: {Describe(ex)}");
                    break;
                }
                _quarantinedUntil = loaded.QuarantinedUntil;
                BecomeActive();
                break;
            case ProfileLoadFailed failed:
                Log.Warning("Loading profile of {0} failed ({1}); retrying in {2}", LogRedaction.UserRef(_userId), failed.Error, _settings.RetryDelay);
                Timers.StartSingleTimer("load-retry", new RetryLoad(), _settings.RetryDelay);
                break;
            case RetryLoad:
                _loader.Tell(new LoadProfile(_userId));
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void Active(object message)
    {
        switch (message)
        {
            case ApplyEvent apply:
                Apply(apply);
                break;
            case GetProfile get:
                if (_identity.MergedInto is { } survivor) Users.Forward(get with { UserId = survivor });
                else Sender.Tell(new ProfileReply(_userId, _profile.EventsApplied > 0 ? _profile : null));
                break;
            case FlushProfile flush:
                Flush(flush);
                break;
            case ProfileSaved saved:
                Saved(saved);
                break;
            case ProfileSaveFailed failed:
                SaveFailed(failed);
                break;
            case ProfileSaveRejected rejected:
                SaveRejected(rejected);
                break;
            // Sent by the shard when the user has been idle (passivate-idle-entity-after) and on hand-off.
            case StopUser:
                _stopping = true;
                StopWhenClean();
                break;
            default:
                if (!IdentityProtocol(message)) Unhandled(message);
                break;
        }
    }

    /// <summary>Back to <see cref="Active"/> after loading or a protocol, with whatever waited meanwhile.</summary>
    private void BecomeActive()
    {
        Become(Active);
        Stash.UnstashAll();
    }

    private void Apply(ApplyEvent apply)
    {
        if (RefusedAsQuarantined(apply) || RefusedAfterGap(apply) || Redirected(apply)) return;
        using var span = DmpTracing.StartApply(apply.TraceParent, apply.Event.EventId);
        ApplyResult result;
        try
        {
            result = _settings.Reduce(_profile, apply.Event, apply.Position, _settings.ProfileRules);
        }
        catch (Exception ex)
        {
            ApplyFailed(apply, ex);
            return;
        }
        if (result.TooLate) DmpMetrics.EventsTooLate.Add(1);
        _traced = DmpTracing.Applied(span, result.Outcome, apply.Event.EventId, _traced);
        // A duplicate with a new position still advances the replay mark, so keep its profile
        // too; only a replay returns the very same instance.
        if (!ReferenceEquals(result.Profile, _profile))
        {
            _profile = result.Profile;
            _version++;
        }
        Ack(Sender, apply.DeliveryId, result.Outcome);
        if (result.Outcome == ApplyOutcome.Applied) Stitch(apply.Event);
    }

    private void Flush(FlushProfile flush)
    {
        if (flush.Incarnation != _incarnation)
            AnswerEarlierLife(flush);
        else if (_unmarked is { Count: > 0 })
            FlushSurvivorThenSelf(Sender, flush.CheckpointId);
        else if (!Dirty)
            Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, true, null));
        else
            FlushWhenSaved(Sender, flush.CheckpointId);
    }

    /// <summary>The event costs only itself: it is dead-lettered with the exception, the profile keeps what it had and
    /// records the event as consumed, so the partition moves on and a replay of it is not tried again.</summary>
    private void ApplyFailed(ApplyEvent apply, Exception ex)
    {
        _profile = ProfileReducer.Consume(_profile, apply.Event, apply.Position);
        _version++;
        var detail = Describe(ex);
        Log.Warning("Event {0} of {1} could not be applied and goes to the dead-letter topic: {2}",
            apply.Event.EventId, LogRedaction.UserRef(_userId), detail);
        Ack(Sender, apply.DeliveryId, ApplyOutcome.Failed, detail, ex.GetType().FullName);
    }

    private static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    private void Ack(IActorRef to, long deliveryId, ApplyOutcome outcome, string? detail = null, string? exception = null) =>
        to.Tell(new EventApplied(deliveryId, _incarnation, outcome, _version, _loadedVersion, detail, exception));

    /// <summary>Refuses an event whose predecessor from the same partition this entity does not hold (see
    /// <see cref="ApplyOutcome.MissingPrevious"/>); a tombstone also holds the events this life forwarded.</summary>
    private bool RefusedAfterGap(ApplyEvent apply)
    {
        if (apply is not { Position: { } at, PreviousOffset: >= 0 }) return false;
        var previous = at with { Offset = apply.PreviousOffset };
        if (_profile.Dedupe.IsReplay(previous) || _forwardedPositions?.IsReplay(previous) == true) return false;
        Ack(Sender, apply.DeliveryId, ApplyOutcome.MissingPrevious);
        return true;
    }

    private void StopWhenClean()
    {
        if (!Dirty) Context.Stop(Self);
        else if (!SaveInFlight) Save();
    }

    private sealed record RetryLoad;

    public static Props Props(string userId, IActorRef loader, IActorRef writer, IProfileStore store, UserActorSettings settings) =>
        Akka.Actor.Props.CreateBy(new Producer(userId, loader, writer, store, settings)).WithMailbox(CompactMailbox.ConfigPath);

    /// <summary>Creates the entity with a plain constructor call: no expression tree to take apart, no reflection.</summary>
    private sealed class Producer(string userId, IActorRef loader, IActorRef writer, IProfileStore store, UserActorSettings settings)
        : IIndirectActorProducer
    {
        public Type ActorType => typeof(UserActor);

        public ActorBase Produce() => new UserActor(userId, loader, writer, store, settings);

        public void Release(ActorBase actor) { }
    }
}

/// <param name="Rules">Merge safety rules (Dmp:Identity).</param>
/// <param name="QuarantinePeriod">How long an erased id refuses events (Dmp:Privacy:QuarantinePeriod).</param>
/// <param name="MergeTimeout">How long a merge may wait for the other entity before it is abandoned and replayed.</param>
public sealed record UserActorSettings(TimeSpan RetryDelay, MergeRules Rules, TimeSpan QuarantinePeriod, TimeSpan MergeTimeout, TimeProvider Clock)
{
    public static readonly UserActorSettings Default =
        new(TimeSpan.FromSeconds(1), MergeRules.Default, TimeSpan.FromDays(30), TimeSpan.FromSeconds(10), TimeProvider.System);

    /// <summary>Where this node's entities report the profiles they isolate.</summary>
    public IsolatedProfiles Isolated { get; init; } = new(TimeProvider.System);

    /// <summary>The rules every event is applied with (Dmp:Profiles).</summary>
    public ProfileRules ProfileRules { get; init; } = ProfileRules.Default;

    /// <summary>The fold each event goes through; <see cref="ProfileReducer.Apply(UserProfile, DmpActors.Domain.Events.UserEvent, EventPosition?, ProfileRules)"/>
    /// unless a test needs one that fails.</summary>
    public Func<UserProfile, DmpActors.Domain.Events.UserEvent, EventPosition?, ProfileRules, ApplyResult> Reduce { get; init; } = ProfileReducer.Apply;
}
