using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Tells <c>total</c> messages to a shard region keeping at most <c>window</c> unacknowledged; every
/// reply counts as an ack. Completes with the elapsed time from the first send to the last ack.
/// </summary>
public sealed class WindowedSender : ReceiveActor
{
    internal sealed record Go;

    private readonly IActorRef _region;
    private readonly Func<long, object> _message;
    private readonly long _total;
    private readonly int _window;
    private readonly TaskCompletionSource<TimeSpan> _done;
    private readonly Func<object, bool> _isAck;
    private long _sent;
    private long _acked;
    private long _startedAt;

    public WindowedSender(IActorRef region, Func<long, object> message, long total, int window, Func<object, bool> isAck, TaskCompletionSource<TimeSpan> done)
    {
        _region = region;
        _message = message;
        _total = total;
        _window = window;
        _isAck = isAck;
        _done = done;
        Receive<Go>(_ =>
        {
            _startedAt = Stopwatch.GetTimestamp();
            while (_sent < Math.Min(_window, _total)) _region.Tell(_message(_sent++), Self);
            if (_total == 0) _done.TrySetResult(TimeSpan.Zero);
        });
        ReceiveAny(reply =>
        {
            if (!_isAck(reply)) { _done.TrySetException(new InvalidOperationException($"unexpected reply {reply}")); return; }
            _acked++;
            if (_sent < _total) _region.Tell(_message(_sent++), Self);
            if (_acked == _total) _done.TrySetResult(Stopwatch.GetElapsedTime(_startedAt));
        });
    }
}

public static class Windowed
{
    public static async Task<TimeSpan> SendAsync(ActorSystem system, IActorRef region, Func<long, object> message, long total, int window, Func<object, bool> isAck)
    {
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = system.ActorOf(Props.Create(() => new WindowedSender(region, message, total, window, isAck, done)));
        sender.Tell(new WindowedSender.Go());
        var elapsed = await done.Task;
        sender.Tell(PoisonPill.Instance);
        return elapsed;
    }
}

/// <summary>The baseline entity: counts and acknowledges. Nothing else.</summary>
public sealed class CounterEntity : ReceiveActor
{
    public sealed record Count(string EntityId, long Id);
    public sealed record Counted(long Id);

    private long _count;

    public CounterEntity()
    {
        Receive<Count>(c =>
        {
            _count++;
            Sender.Tell(new Counted(c.Id));
        });
    }

    public sealed class Extractor(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string EntityId(object message) => message is Count c ? c.EntityId : null!;
    }

    /// <summary>A single-node cluster with the engine's Akka configuration and a "counter" shard region (100 shards, as the engine's "user").</summary>
    public static async Task<(ActorSystem System, IActorRef Region)> StartAsync()
    {
        var system = await SingleNodeCluster.StartAsync("bench");
        var region = await ClusterSharding.Get(system).StartAsync("counter", _ => Props.Create(() => new CounterEntity()),
            ClusterShardingSettings.Create(system), new Extractor(100));
        return (system, region);
    }
}

/// <summary>An actor system with the engine's Akka configuration that has joined itself as a one-node cluster.</summary>
public static class SingleNodeCluster
{
    public static async Task<ActorSystem> StartAsync(string name)
    {
        var node = new Engine.Hosting.NodeOptions { Port = 0, ClusterName = name };
        var system = ActorSystem.Create(name, Engine.Hosting.AkkaConfig.For(node));
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return system;
    }
}
