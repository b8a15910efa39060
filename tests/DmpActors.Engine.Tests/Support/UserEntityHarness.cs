using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Support;

/// <summary>
/// One user entity as a plain child actor, with the engine's profile loader and writer over an
/// <see cref="InMemoryProfileStore"/>, and a probe where the ingest stage would be: events go in as the ingest sends
/// them, acknowledgements come back to the probe, and the dead letters are the ones the ingest would publish for them.
/// No broker, no cluster, no database. Its parent restarts it on failure, as a shard does.
/// </summary>
public sealed class UserEntityHarness
{
    /// <summary>What the actor system of a test using the harness needs: the entities' mailbox.</summary>
    public static readonly Config Config = ConfigurationFactory.ParseString(
        $"{CompactMailbox.ConfigPath}.mailbox-type = \"{typeof(CompactMailbox).FullName}, {typeof(CompactMailbox).Assembly.GetName().Name}\"");

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TestKitBase _kit;
    private readonly IActorRef _loader, _writer;
    private readonly TestProbe _ingest, _watcher;
    private readonly Dictionary<long, UserEvent> _sent = new();
    private readonly List<EventApplied> _acks = [];
    private readonly List<(UserEvent Event, DeadLetter Letter)> _deadLetters = [];
    private long _nextDelivery;

    /// <param name="configure">Adjusts the settings the entity starts with (e.g. a <see cref="UserActorSettings.Reduce"/> that throws).</param>
    public UserEntityHarness(TestKitBase kit, string userId, InMemoryProfileStore? store = null,
        Func<UserActorSettings, UserActorSettings>? configure = null)
    {
        _kit = kit;
        UserId = userId;
        Store = store ?? new InMemoryProfileStore();
        var settings = UserActorSettings.Default with { RetryDelay = TimeSpan.FromMilliseconds(100), Isolated = new IsolatedProfiles(TimeProvider.System) };
        Settings = configure?.Invoke(settings) ?? settings;
        _loader = kit.Sys.ActorOf(ProfileLoader.Props(Store, Settings.Clock));
        _writer = kit.Sys.ActorOf(ProfileWriter.Props(Store));
        _ingest = kit.CreateTestProbe("ingest");
        _watcher = kit.CreateTestProbe("watcher");
        Entity = StartLife();
    }

    public string UserId { get; }
    public InMemoryProfileStore Store { get; }
    public UserActorSettings Settings { get; }
    public IsolatedProfiles Isolated => Settings.Isolated;

    /// <summary>The current life of the entity (the same across restarts by its parent; a new one after <see cref="StopAsync"/>).</summary>
    public IActorRef Entity { get; private set; }

    /// <summary>Every acknowledgement the entity sent the ingest, in order.</summary>
    public IReadOnlyList<EventApplied> Acks => _acks;

    /// <summary>The events the ingest would have dead-lettered, with the reason it would have given.</summary>
    public IReadOnlyList<(UserEvent Event, DeadLetter Letter)> DeadLetters => _deadLetters;

    /// <summary>Sends the event as the ingest does and waits for its acknowledgement.</summary>
    /// <param name="previousOffset">The user's previous offset from the same partition not yet durable, or -1.</param>
    public async Task<EventApplied> ApplyAsync(UserEvent e, EventPosition? at = null, long previousOffset = -1)
    {
        var deliveryId = _nextDelivery++;
        _sent[deliveryId] = e;
        Entity.Tell(new ApplyEvent(UserId, e, at, deliveryId, previousOffset), _ingest.Ref);
        var ack = await _ingest.ExpectMsgAsync<EventApplied>(a => a.DeliveryId == deliveryId, Patience);
        _acks.Add(ack);
        if (DeadLetter.For(ack) is { } letter) _deadLetters.Add((e, letter));
        return ack;
    }

    /// <summary>Sends the events as one batch, as the ingest does for a busy user, and waits for its one answer.</summary>
    public async Task<EventApplied[]> ApplyBatchAsync(params (UserEvent Event, EventPosition? At, long PreviousOffset)[] events)
    {
        var batch = events.Select(e =>
        {
            var deliveryId = _nextDelivery++;
            _sent[deliveryId] = e.Event;
            return new ApplyEvent(UserId, e.Event, e.At, deliveryId, e.PreviousOffset);
        }).ToArray();
        Entity.Tell(new ApplyEvents(UserId, batch), _ingest.Ref);
        var answer = await _ingest.ExpectMsgAsync<EventsApplied>(Patience);
        foreach (var ack in answer.Acks)
        {
            _acks.Add(ack);
            if (DeadLetter.For(ack) is { } letter) _deadLetters.Add((_sent[ack.DeliveryId], letter));
        }
        return answer.Acks;
    }

    /// <summary>Asks the entity, as a checkpoint does, to make everything up to <paramref name="upTo"/> durable.</summary>
    public Task<ProfileFlushed> FlushAsync(EventApplied upTo, long checkpointId) =>
        Entity.Ask<ProfileFlushed>(new FlushProfile(UserId, upTo.Incarnation, upTo.Version, checkpointId), Patience);

    public Task<ProfileReply> ReadAsync() => Entity.Ask<ProfileReply>(new GetProfile(UserId), Patience);

    /// <summary>The profile as the store holds it now, or null when it holds none.</summary>
    public async Task<UserProfile?> StoredAsync() =>
        (await Store.LoadAsync([UserId])).TryGetValue(UserId, out var stored) ? ProfileCodec.Decode(stored.State) : null;

    /// <summary>Stops the entity as its shard does on passivation or hand-off, and waits until it has stopped.</summary>
    public async Task StopAsync()
    {
        Entity.Tell(StopUser.Instance);
        await _watcher.ExpectTerminatedAsync(Entity, Patience);
    }

    /// <summary>Starts the next life of the entity from what the store holds (after <see cref="StopAsync"/>).</summary>
    public IActorRef StartNextLife() => Entity = StartLife();

    private IActorRef StartLife()
    {
        var entity = _kit.Sys.ActorOf(UserActor.Props(UserId, _loader, _writer, Settings));
        _watcher.Watch(entity);
        return entity;
    }
}
