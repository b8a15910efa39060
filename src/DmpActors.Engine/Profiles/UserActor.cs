using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// One live user: a host for the feature modules of <see cref="FeaturePipeline.Profile"/>. It loads its state once,
/// applies events in order (the modules decide what each one changes), carries out the effects they emit, answers
/// reads from memory (read-your-writes), checkpoints when asked and saves before it passivates or hands over.
/// </summary>
/// <remarks>
/// <para>Its states are behaviours: <see cref="OnReceive">loading</see>, <see cref="Active"/>,
/// <see cref="Coordinating"/> a merge or unmerge, <see cref="Locked"/> by one, <see cref="LoadingMergeRecord"/>,
/// <see cref="Erasing"/>, <see cref="Erased"/> (in quarantine) and <see cref="Isolated"/>; a transient state's data
/// travels with its behaviour. The store is reached only through the loader and writer actors.</para>
/// <para>An untyped actor whose behaviours are methods with a type switch: there is one entity per live user, and a
/// ReceiveActor would build a table of ~20 handler delegates for each (about 1.9 KB per entity, and work at every
/// start and every Become). Unknown messages go to <see cref="ActorBase.Unhandled"/>, as a ReceiveActor's would.</para>
/// </remarks>
public sealed partial class UserActor : UntypedActor, IWithStash, IWithTimers
{
    private readonly string _userId;
    private readonly IActorRef _loader; // profiles and merge records
    private readonly IActorRef _writer; // checkpoints, merge and erasure transactions
    private readonly UserActorSettings _settings;
    private readonly ProfileVersions _versions = new();
    private long _incarnation = NewIncarnation(); // this life; a new one when it isolates itself
    private ILoggingAdapter? _log; // created on first use: most entities never log
    private Action<ApplyEvent>? _apply; // Apply as a delegate, made once for the batches
    private UserProfile _profile;
    private IdentityState _identity = IdentityState.Empty;

    public UserActor(string userId, IActorRef loader, IActorRef writer, UserActorSettings settings)
    {
        _userId = userId;
        _loader = loader;
        _writer = writer;
        _settings = settings;
        _profile = UserProfile.Empty(userId);
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    private ILoggingAdapter Log => _log ??= Context.GetLogger();

    protected override void PreStart()
    {
        Load();
        DmpMetrics.ActiveUsers.Add(1);
    }

    protected override void PostStop() => DmpMetrics.ActiveUsers.Add(-1);

    /// <summary>Loading: waiting for the stored state; everything else waits in the stash.</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ProfileLoaded loaded:
                Loaded(loaded);
                break;
            case ProfileLoadFailed failed:
                Log.Warning("Loading profile of {0} failed ({1}); retrying in {2}", LogRedaction.UserRef(_userId), failed.Error, _settings.RetryDelay);
                Timers.StartSingleTimer("load-retry", new RetryLoad(), _settings.RetryDelay);
                break;
            case RetryLoad:
                Load();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    /// <summary>Through the writer: the load waits for every write of this id still queued there (an earlier life's
    /// last save, a merge), so this life builds on the version the store ends up holding.</summary>
    private void Load() => _writer.Tell(new AfterWrites(_userId, new LoadProfile(_userId), _loader));

    private void Loaded(ProfileLoaded loaded)
    {
        _versions.StartFrom(loaded.State is null ? 0 : loaded.Version);
        try
        {
            if (loaded.State is not null) _profile = ProfileCodec.Decode(loaded.State);
            _identity = IdentityCodec.Decode(loaded.Identity);
        }
        catch (Exception ex)
        {
            // A corrupt row or one written by a newer codec: no retry can help, and guessing would overwrite it.
            Isolate(IsolationKind.Undecodable, $"stored profile version {loaded.Version} cannot be decoded: {Describe(ex)}");
            return;
        }
        _quarantinedUntil = loaded.QuarantinedUntil;
        _indexedTimers = _profile.Timers;
        Settle();
        OutboxLoaded();
    }

    private void Active(object message)
    {
        switch (message)
        {
            case ApplyEvent apply:
                Apply(apply);
                break;
            case ApplyEvents batch:
                ApplyBatch(batch, _apply ??= Apply);
                break;
            case GetProfile get:
                if (_identity.MergedInto is { } survivor) Users.Forward(get with { UserId = survivor });
                else Sender.Tell(new ProfileReply(_userId, _profile.EventsApplied > 0 ? _profile : null));
                break;
            case FlushProfile flush:
                Flush(flush);
                break;
            case EvaluateSegments evaluate:
                EvaluateSegments(evaluate);
                break;
            case Profiles.FireTimers:
                FireTimers();
                break;
            case OutboxPublished published:
                Published(published);
                break;
            case RetryOutbox:
                PublishOutbox();
                break;
            case SaveOutcome { Incarnation: var life } when life != _incarnation:
                break; // an earlier life's save: this life loaded what it left
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
                _versions.Stopping = true;
                StopWhenClean();
                break;
            default:
                if (!IdentityMessage(message)) Unhandled(message);
                break;
        }
    }

    /// <summary>Leaves a transient state (loading, a protocol) for the one the data says, with whatever waited meanwhile.</summary>
    private void Settle()
    {
        if (_isolation is not null) Become(Isolated);
        else if (_quarantinedUntil is not null) Become(Erased);
        else Become(Active);
        Stash.UnstashAll();
    }

    private void Apply(ApplyEvent apply)
    {
        if (RefusedAfterGap(apply) || Redirected(apply)) return;
        using var span = DmpTracing.StartApply(apply.TraceParent, apply.Event.EventId);
        ApplyResult result;
        try
        {
            result = _settings.Reduce(_profile, apply.Event, apply.Position, _settings.ProfileRules, _settings.Segments.Current);
        }
        catch (Exception ex)
        {
            ApplyFailed(apply, ex);
            return;
        }
        if (result.TooLate) DmpMetrics.EventsTooLate.Add(1);
        if (result.SegmentTicks > 0) DmpMetrics.SegmentEvaluationDuration.Record(result.SegmentTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
        _versions.Traced = DmpTracing.Applied(span, result.Outcome, apply.Event.EventId, _versions.Traced);
        // A duplicate with a new position still advances the replay mark, so keep its profile
        // too; only a replay returns the very same instance.
        if (!ReferenceEquals(result.Profile, _profile))
        {
            _settings.Models?.Applied(_profile, result.Profile);
            _profile = result.Profile;
            _versions.Current++;
        }
        Ack(Sender, apply.DeliveryId, result.Outcome);
        if (result.Outcome == ApplyOutcome.Applied) CarryOut(result.Effects);
    }

    /// <summary>The modules' effects, in the order they were emitted.</summary>
    private void CarryOut(ModuleEffects effects)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            switch (effects[i])
            {
                case UserIdSeen:
                    _identity = _identity.WithUserId(_userId);
                    break;
                case RequestMerge request:
                    Stitch(request, attempt: 0);
                    break;
                case SegmentsChanged changed:
                    SegmentsChanged(changed);
                    break;
                case Domain.Modules.ScheduleTimer:
                    break; // already in the profile's timers; the next save writes them to the due-time index
                case var other:
                    throw new InvalidOperationException($"no handler for the effect {other.GetType().Name}");
            }
        }
    }

    /// <summary>The event costs only itself: it is dead-lettered with the exception, the profile keeps what it had and
    /// records the event as consumed, so the partition moves on and a replay of it is not tried again.</summary>
    private void ApplyFailed(ApplyEvent apply, Exception ex)
    {
        _profile = ProfileReducer.Consume(_profile, apply.Event, apply.Position);
        _versions.Current++;
        var detail = Describe(ex);
        Log.Warning("Event {0} of {1} could not be applied and goes to the dead-letter topic: {2}",
            apply.Event.EventId, LogRedaction.UserRef(_userId), detail);
        Ack(Sender, apply.DeliveryId, ApplyOutcome.Failed, detail, ex.GetType().FullName);
    }

    private static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    /// <summary>Refuses an event whose predecessor from the same partition this entity does not hold (see
    /// <see cref="ApplyOutcome.MissingPrevious"/>); a tombstone also holds the events this life forwarded.</summary>
    private bool RefusedAfterGap(ApplyEvent apply)
    {
        if (apply is not { Position: { } at, PreviousOffset: >= 0 }) return false;
        var previous = at with { Offset = apply.PreviousOffset };
        if (_profile.Dedupe.IsReplay(previous) || _forwarding?.Forwarded(previous) == true) return false;
        Ack(Sender, apply.DeliveryId, ApplyOutcome.MissingPrevious);
        return true;
    }

    private sealed record RetryLoad;

    public static Props Props(string userId, IActorRef loader, IActorRef writer, UserActorSettings settings) =>
        Akka.Actor.Props.CreateBy(new Producer(userId, loader, writer, settings)).WithMailbox(CompactMailbox.ConfigPath);

    /// <summary>Creates the entity with a plain constructor call: no expression tree to take apart, no reflection.</summary>
    private sealed class Producer(string userId, IActorRef loader, IActorRef writer, UserActorSettings settings) : IIndirectActorProducer
    {
        public Type ActorType => typeof(UserActor);

        public ActorBase Produce() => new UserActor(userId, loader, writer, settings);

        public void Release(ActorBase actor) { }
    }
}
