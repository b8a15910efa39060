using Confluent.Kafka;
using DmpActors.Engine.Storage;
using DmpActors.Kafka.Settings;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>What every runner of one <c>peers</c> run shares: the topic, its end offsets, the engine's ingest defaults, and where to write.</summary>
public sealed record PeerContext(
    string BootstrapServers, string Topic, int Partitions, IReadOnlyDictionary<int, long> EndOffsets, int Events, string DataDirectory,
    TimeSpan CheckpointInterval, int MaxEventsPerCheckpoint, int MaxInFlight)
{
    /// <summary>Where the runner records its apply times; a fresh one per runner.</summary>
    public required ApplyLatency Latency { get; init; }

    /// <summary>A consumer of the topic in its own group, from the earliest offset, with the engine's fetch settings.</summary>
    public IConsumer<byte[]?, byte[]> Subscribe(string group)
    {
        var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerSettings(BootstrapServers, group).ToConsumerConfig()).Build();
        consumer.Subscribe(Topic);
        return consumer;
    }

    public async Task<IProfileStore> OpenStoreAsync(string name)
    {
        var store = new SqliteProfileStore(Path.Combine(DataDirectory, name, "profiles.db"));
        await store.InitializeAsync();
        return store;
    }
}

/// <summary>One way of consuming the topic into durable per-user profiles. Start-up and the run are timed apart; the
/// runner stays alive after the run so its heap can be measured, until disposed.</summary>
public abstract class PeerRunner : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>One line for the report: what this runner does.</summary>
    public abstract string How { get; }

    /// <summary>Where the profiles are durable (checked against the dataset after the run).</summary>
    public abstract IProfileStore Store { get; }

    public abstract long Checkpoints { get; }

    /// <summary>Anything the run did besides the work (e.g. the engine restarting its ingest), for the report; read after the run.</summary>
    public virtual string? Notes => null;

    /// <summary>The framework's start-up (silo, actor system, cluster join); the store is opened here too.</summary>
    public abstract Task StartAsync(PeerContext context);

    /// <summary>Returns once every record of the topic is applied, saved by a checkpoint and its offset committed.</summary>
    public abstract Task RunAsync(PeerContext context);

    public abstract ValueTask DisposeAsync();
}

/// <summary>The limit: one thread, a dictionary of profiles, nothing between the consumer and the reducer.</summary>
public sealed class LimitRunner : PeerRunner
{
    private IProfileStore? _store;
    private PeerCheckpoint? _checkpoint;

    public override string Name => "limit";

    public override string How =>
        "one thread: Confluent `Consume` → `EventParser` → `ProfileReducer.Apply` on a `Dictionary<string, UserProfile>`; at each checkpoint the dirty profiles are encoded (`ProfileCodec`), saved in one batch, then the offsets committed";

    public override IProfileStore Store => _store!;

    public override long Checkpoints => _checkpoint?.Count ?? 0;

    public override async Task StartAsync(PeerContext context) => _store = await context.OpenStoreAsync(Name);

    public override Task RunAsync(PeerContext context) => Task.Factory.StartNew(() => Loop(context), TaskCreationOptions.LongRunning);

    private readonly Dictionary<string, Domain.Profiles.UserProfile> _profiles = new(StringComparer.Ordinal);

    private void Loop(PeerContext context)
    {
        using var consumer = context.Subscribe("peers-limit");
        var checkpoint = _checkpoint = new PeerCheckpoint(_store!, consumer, context.CheckpointInterval, context.MaxEventsPerCheckpoint);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddMinutes(20);
        long consumed = 0;
        while (consumed < context.Events)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is not null && !r.IsPartitionEOF)
            {
                var stamp = System.Diagnostics.Stopwatch.GetTimestamp();
                var e = PeerFold.Parse(r.Message.Value, r.Message.Timestamp.UnixTimestampMs);
                if (e is not null)
                {
                    _profiles[e.EntityId] = PeerFold.Apply(_profiles.GetValueOrDefault(e.EntityId), e, r.Partition.Value, r.Offset.Value);
                    dirty.Add(e.EntityId);
                    context.Latency.Applied(r.Partition.Value, r.Offset.Value, stamp);
                }
                checkpoint.Consumed(r.TopicPartition, r.Offset.Value);
                consumed++;
            }
            else if (DateTime.UtcNow > deadline) throw new TimeoutException($"limit consumed {consumed} of {context.Events} records in 20 minutes");
            if (consumed == context.Events || checkpoint.Due)
            {
                var rows = dirty.Select(id => (id, Engine.Serialization.ProfileCodec.Encode(_profiles[id]))).ToList();
                checkpoint.WriteAsync(rows).GetAwaiter().GetResult();
                dirty.Clear();
            }
        }
        consumer.Close();
    }

    public override async ValueTask DisposeAsync()
    {
        _profiles.Clear();
        if (_store is not null) await _store.DisposeAsync();
    }
}
