using System.Net;
using System.Net.Sockets;
using DmpActors.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>One grain per user (keyed by the user id) holding its profile.</summary>
public interface IProfileGrain : IGrainWithStringKey
{
    Task Apply(PeerRecord record);

    Task<byte[]?> TakeDirtyState();
}

public sealed class ProfileGrain : Grain, IProfileGrain
{
    private PeerProfile? _profile;

    private PeerProfile Profile => _profile ??= new PeerProfile(this.GetPrimaryKeyString());

    public Task Apply(PeerRecord record)
    {
        Profile.Apply(record);
        return Task.CompletedTask;
    }

    public Task<byte[]?> TakeDirtyState() => Task.FromResult(Profile.TakeDirtyState());
}

/// <summary>Microsoft Orleans: an in-process silo on localhost clustering; the consume loop calls the grains through the silo's own grain factory.</summary>
public sealed class OrleansRunner : PeerRunner, IPeerUsers
{
    private readonly Dictionary<string, IProfileGrain> _grains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private IHost? _host;
    private IGrainFactory? _factory;
    private IProfileStore? _store;
    private PeerCheckpoint? _checkpoint;

    public override string Name => "orleans";

    public override string How =>
        "Microsoft.Orleans 10.4.2, one in-process silo (`UseLocalhostClustering`), one `ProfileGrain` per user; the consume loop calls `Apply` on the user's grain with at most MaxInFlight calls outstanding, each user's calls chained (Orleans does not keep the order of concurrent calls to one grain); a checkpoint waits for them, asks each dirty grain for its encoded state, saves the batch, commits";

    public override IProfileStore Store => _store!;

    public override long Checkpoints => _checkpoint?.Count ?? 0;

    public override async Task StartAsync(PeerContext context)
    {
        _store = await context.OpenStoreAsync(Name);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort()));
        _host = builder.Build();
        await _host.StartAsync();
        _factory = _host.Services.GetRequiredService<IGrainFactory>();
    }

    public override async Task RunAsync(PeerContext context) =>
        _checkpoint = await Task.Run(() => ActorConsumeLoop.RunAsync(context, this, "peers-orleans", _store!));

    /// <summary>
    /// Orleans does not keep the order of concurrent calls from one caller to one grain, and a record applied after a
    /// later one of its partition is judged a replay by the reducer: so each user's calls are chained, one at a time,
    /// while calls to different users stay concurrent.
    /// </summary>
    public Task ApplyAsync(string userId, PeerRecord record)
    {
        var grain = Grain(userId);
        var call = _tails.TryGetValue(userId, out var previous) && !previous.IsCompleted ? After(previous, grain, record) : grain.Apply(record);
        _tails[userId] = call;
        return call;
    }

    private static async Task After(Task previous, IProfileGrain grain, PeerRecord record)
    {
        await previous.ConfigureAwait(false);
        await grain.Apply(record).ConfigureAwait(false);
    }

    public Task<byte[]?> TakeDirtyStateAsync(string userId) => Grain(userId).TakeDirtyState();

    private IProfileGrain Grain(string userId)
    {
        if (!_grains.TryGetValue(userId, out var grain)) _grains[userId] = grain = _factory!.GetGrain<IProfileGrain>(userId);
        return grain;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async ValueTask DisposeAsync()
    {
        _grains.Clear();
        _tails.Clear();
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        if (_store is not null) await _store.DisposeAsync();
    }
}
