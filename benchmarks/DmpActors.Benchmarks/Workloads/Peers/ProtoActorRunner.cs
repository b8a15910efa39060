using DmpActors.Engine.Storage;
using Proto;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>
/// Proto.Actor: plain local actors, one per user, found through a dictionary of PIDs kept by the consume loop.
/// Proto.Cluster's identity lookup is not used: even a single member needs Proto.Remote's gRPC transport and
/// protobuf-serializable messages, which would measure a transport the other runners do not have.
/// </summary>
public sealed class ProtoActorRunner : PeerRunner, IPeerUsers
{
    private readonly Dictionary<string, PID> _actors = new(StringComparer.Ordinal);
    private ActorSystem? _system;
    private IProfileStore? _store;
    private PeerCheckpoint? _checkpoint;

    public override string Name => "protoactor";

    public override string How =>
        "Proto.Actor 1.8.0, local actors (no Proto.Cluster), one `ProfileActor` per user spawned on its first record, PIDs in a dictionary; `RequestAsync` per record with at most MaxInFlight outstanding; checkpoint as for Orleans";

    public override IProfileStore Store => _store!;

    public override long Checkpoints => _checkpoint?.Count ?? 0;

    public override async Task StartAsync(PeerContext context)
    {
        _store = await context.OpenStoreAsync(Name);
        _system = new ActorSystem();
    }

    public override async Task RunAsync(PeerContext context) =>
        _checkpoint = await Task.Run(() => ActorConsumeLoop.RunAsync(context, this, "peers-protoactor", _store!));

    public async Task ApplyAsync(string userId, PeerRecord record)
    {
        var reply = await _system!.Root.RequestAsync<object>(Actor(userId), record, CancellationToken.None).ConfigureAwait(false);
        if (reply is ProfileActor.Failed failed) throw new InvalidOperationException(failed.Reason);
    }

    public async Task<byte[]?> TakeDirtyStateAsync(string userId) =>
        (await _system!.Root.RequestAsync<ProfileActor.State>(Actor(userId), ProfileActor.TakeState.Instance, CancellationToken.None).ConfigureAwait(false)).Encoded;

    private PID Actor(string userId)
    {
        if (!_actors.TryGetValue(userId, out var pid))
            _actors[userId] = pid = _system!.Root.Spawn(Props.FromProducer(() => new ProfileActor(userId)));
        return pid;
    }

    public override async ValueTask DisposeAsync()
    {
        _actors.Clear();
        if (_system is not null) await _system.ShutdownAsync();
        if (_store is not null) await _store.DisposeAsync();
    }
}

/// <summary>A user's actor: applies records, hands over its encoded state when asked.</summary>
public sealed class ProfileActor(string userId) : IActor
{
    public sealed record Applied
    {
        public static readonly Applied Instance = new();
    }

    /// <summary>Answered instead of <see cref="Applied"/> when the record could not be applied, so the caller fails rather than waits.</summary>
    public sealed record Failed(string Reason);

    public sealed record TakeState
    {
        public static readonly TakeState Instance = new();
    }

    public sealed record State(byte[]? Encoded);

    private readonly PeerProfile _profile = new(userId);

    public Task ReceiveAsync(IContext context)
    {
        switch (context.Message)
        {
            case PeerRecord record:
                try
                {
                    _profile.Apply(record);
                    context.Respond(Applied.Instance);
                }
                catch (Exception e) { context.Respond(new Failed(e.Message)); }
                break;
            case TakeState:
                context.Respond(new State(_profile.TakeDirtyState()));
                break;
        }
        return Task.CompletedTask;
    }
}
