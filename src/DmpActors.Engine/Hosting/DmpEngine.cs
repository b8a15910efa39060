using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Config = Akka.Configuration.Config;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Engine.Campaigns;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Models;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Recommendations;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Webhooks;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Hosting;

/// <summary>
/// The running engine on one node: actor system and cluster membership, the "user" shard region,
/// the profile store with its writer and loader, the producer, and the ingest stream.
/// </summary>
public sealed class DmpEngine : IAsyncDisposable
{
    public const string UserTypeName = "user";

    private readonly ILogger _log;
    private int _disposed;
    private readonly ShardRegionSampler _shardStats;

    private DmpEngine(DmpOptions options, ActorSystem system, IActorRef users, IProfileStore store,
        IProducer<byte[]?, byte[]> producer, IngestService? ingest, long generation, ILogger log, ShardRegionSampler shardStats,
        IsolatedProfiles isolated, SegmentRegistry segments, SegmentChangeHub segmentChanges, ModelService models)
    {
        Models = models;
        Isolated = isolated;
        Segments = segments;
        SegmentChanges = segmentChanges;
        _shardStats = shardStats;
        Options = options;
        System = system;
        Users = users;
        Store = store;
        Producer = producer;
        Ingest = ingest;
        LogGeneration = generation;
        _log = log;
    }

    public DmpOptions Options { get; }
    public ActorSystem System { get; }
    public IActorRef Users { get; }
    public IProfileStore Store { get; }
    public IProducer<byte[]?, byte[]> Producer { get; }
    public IngestService? Ingest { get; }
    public long LogGeneration { get; }

    /// <summary>Profiles this node's entities isolated (they cannot be decoded or written).</summary>
    public IsolatedProfiles Isolated { get; }

    /// <summary>What "now" is for recency, lifecycle and windows (Dmp:Profiles:Clock): the engine's clock, or the
    /// latest event time consumed when the engine follows event time.</summary>
    public TimeProvider ProfileClock { get; private init; } = TimeProvider.System;

    /// <summary>The catalogue, the item statistics and the blend (null when Dmp:Recommendations:Enabled is false).</summary>
    public RecommendationService? Recommendations { get; private set; }
    /// <summary>Webhook subscriptions, their outboxes and delivery logs (docs/webhooks.md).</summary>
    public WebhookHub Webhooks { get; private init; } = null!;

    /// <summary>The model versions this node scores with, and the coordinator's proxy.</summary>
    public ModelService Models { get; }

    /// <summary>The segment set this node's entities evaluate.</summary>
    public SegmentRegistry Segments { get; }

    /// <summary>This node's proxy of the cluster's <see cref="Timers.TimerService"/> (Nobody when Dmp:Timers:Enabled is false).</summary>
    public IActorRef TimerService { get; private init; } = ActorRefs.Nobody;

    /// <summary>This node's proxy of the cluster's <see cref="SegmentBackfill"/>.</summary>
    public IActorRef Backfill { get; private init; } = ActorRefs.Nobody;
    /// <summary>The cluster's segment definitions (docs/segments.md#defining-segments): one writer, replicated to every node.</summary>
    public ISegmentCatalogue SegmentCatalogue { get; private init; } = null!;
    /// <summary>The cluster's campaign definitions (docs/campaigns.md): one writer, replicated to every node.</summary>
    public ICampaignCatalogue Campaigns { get; private init; } = null!;
    /// <summary>The campaign and offer-ledger regions: triggers decided into offers (docs/campaigns.md).</summary>
    public CampaignRuntime Offers { get; private init; } = null!;
    /// <summary>This node's segment changes, after Kafka acknowledged them (docs/segments.md).</summary>
    public SegmentChangeHub SegmentChanges { get; }
    public string NodeAddress => Cluster.Get(System).SelfAddress.ToString();
    public bool ClusterUp => Cluster.Get(System).SelfMember.Status == MemberStatus.Up;

    /// <param name="bootstrapServers">Where Kafka is (the embedded broker's address in embedded mode).</param>
    /// <param name="freshLog">True when the events log started empty (embedded broker): replay dedupe starts a new generation.</param>
    public static async Task<DmpEngine> StartAsync(DmpOptions options, string bootstrapServers, bool freshLog,
        ILoggerFactory loggerFactory, TimeProvider? clock = null, Config? extraConfig = null, CancellationToken ct = default,
        EngineHooks? hooks = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new OptionsValidationException(errors);
        clock ??= TimeProvider.System;
        var log = loggerFactory.CreateLogger<DmpEngine>();

        var store = ProfileStoreFactory.Create(options.Storage, clock);
        await store.InitializeAsync(ct);
        var generation = options.Kafka.LogGeneration
            ?? (freshLog ? await store.NextSequenceAsync("log-generation", ct) : await store.ReadSequenceAsync("log-generation", ct) ?? 1);

        AkkaLoggerBridge.LoggerFactory = loggerFactory;
        var webhookJournal = WebhookPersistence.For(options.Storage);
        var config = (extraConfig ?? Config.Empty).WithFallback(AkkaConfig.For(options.Node, options.Ingest.PassivateAfter))
            .WithFallback(PersistenceConfig.For(options.Storage))
            .WithFallback(webhookJournal.Config)
            .WithFallback(ModelsConfig.For(options.Storage))
            .WithFallback(UserSharding.AkkaConfig(options.Sharding));
        var system = ActorSystem.Create(options.Node.ClusterName, config);
        try
        {
            await JoinAsync(system, options.Node, ct);
            var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
            {
                BootstrapServers = bootstrapServers,
                EnableIdempotence = true,
                Acks = Acks.All,
                LingerMs = 2,
                // Kafka's default partitioner (Java's): a user's events land on the partition their shard is aligned with.
                Partitioner = Partitioner.Murmur2Random,
                ClientId = $"dmp-{options.Node.Hostname}-{options.Node.Port}",
            }).Build();
            var loader = system.ActorOf(ProfileLoader.Props(store, clock), "profile-loader");
            var writer = system.ActorOf(ProfileWriter.Props(store), "profile-writer");
            var eventClock = options.Profiles.FollowsEventTime ? new EventTimeClock(clock, options.Profiles.EventClockStart) : null;
            var userSettings = UserActorSettings.Default with
            {
                ProfileClock = eventClock ?? clock,
                Rules = options.Identity.Rules(), QuarantinePeriod = options.Privacy.QuarantinePeriod,
                MergeTimeout = options.Identity.MergeTimeout, Clock = clock,
                ProfileRules = options.Profiles.ToRules(), Isolated = new IsolatedProfiles(clock),
                Segments = new SegmentRegistry(),
                SegmentChanges = new SegmentChangePublisher(new SegmentChangeHub(), producer, options.Kafka.SegmentChangesTopic),
            };
            var models = ModelService.Prepare(userSettings.ProfileRules);
            userSettings = userSettings with { Models = models.Hook };
            if (hooks?.Users is { } configure) userSettings = configure(userSettings);
            var sharding = UserSharding.Plan(options, producer, log);
            var users = await ClusterSharding.Get(system).StartAsync(
                UserTypeName,
                id => UserActor.Props(id, loader, writer, userSettings),
                ClusterShardingSettings.Create(system),
                sharding.Extractor,
                sharding.Strategy(system),
                StopUser.Instance);

            var backfill = options.Backfill.Enabled
                ? SegmentBackfillSingleton.Start(system, store, users, userSettings.Segments, options.Backfill, clock)
                : ActorRefs.Nobody;
            var timers = options.Timers.Enabled
                ? Timers.TimerServiceSingleton.Start(system, store, users, options.Timers, userSettings.ProfileClock, clock)
                : ActorRefs.Nobody;
            models.Start(system, ModelService.SettingsFor(options, options.Models, clock));

            IngestService? ingest = null;
            if (options.Ingest.Enabled)
            {
                var consumer = new ConsumerSettings(bootstrapServers, options.Kafka.GroupId)
                    .WithClientId($"dmp-ingest-{options.Node.Hostname}-{options.Node.Port}")
                    .WithMaxBufferBytesPerPartition(options.Ingest.MaxBufferedBytesPerPartition);
                if (sharding.ByPartition)
                    consumer = consumer.WithPartitionsAssignedHandler(new ShardPlacement(system, options.Kafka.EventsTopic, sharding.Extractor.Shards,
                        loggerFactory.CreateLogger<ShardPlacement>()).OnAssigned);
                var settings = new IngestSettings(consumer, options.Kafka.EventsTopic, options.Kafka.DeadLetterTopic, generation,
                    options.Ingest.CheckpointInterval, options.Ingest.MaxEventsPerCheckpoint, options.Ingest.MaxInFlight,
                    options.Ingest.AckTimeout, options.Ingest.CheckpointTimeout, options.Ingest.MaxRestartBackoff, EventLimits.Default)
                {
                    StopGrace = options.Node.StopGrace * 0.45, // inside service-stop's half of the grace (AkkaConfig)
                    MaxInFlightBytes = options.Ingest.MaxInFlightBytes,
                    EventClock = eventClock,
                };
                ingest = new IngestService(system, users, settings, producer, clock, loggerFactory.CreateLogger<IngestService>());
                ingest.Start();
                // However the node goes (host stop, `cluster leave`, downed by the split-brain resolver), ingest stops
                // first and takes its final checkpoint while the shard region still works; hand-off comes after.
                var stopping = ingest;
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "stop-ingest", async () =>
                {
                    await stopping.DisposeAsync();
                    return Akka.Done.Instance;
                });
            }
            var webhooks = WebhookHub.Start(system, new WebhookRuntime(WebhookRuntime.CreateClient(), options.Webhooks.ToSettings(), clock, webhookJournal));
            log.LogInformation("Engine up: node {Node}, store {Store}, Kafka {Kafka}, log generation {Generation}",
                Cluster.Get(system).SelfAddress, store.Description, bootstrapServers, generation);
            var shardStats = ShardRegionSampler.Start(users, UserTypeName, Cluster.Get(system).SelfAddress.ToString(),
                options.Telemetry.ShardStatsInterval, loggerFactory.CreateLogger<ShardRegionSampler>());
            var catalogue = global::DmpActors.Engine.Segments.SegmentCatalogue.Start(system, userSettings.Segments, userSettings.ProfileRules, clock);
            var campaigns = CampaignCatalogue.Start(system, clock);
            var offers = await CampaignRuntime.StartAsync(system, campaigns.Registry, users, userSettings.SegmentChanges.Hub, webhooks, producer,
                options.Kafka.OffersTopic, options.Campaigns.Caps(), clock, options.Cluster.Shards);
            var engine = new DmpEngine(options, system, users, store, producer, ingest, generation, log, shardStats, userSettings.Isolated,
                userSettings.Segments, userSettings.SegmentChanges.Hub, models) { ProfileClock = userSettings.ProfileClock, SegmentCatalogue = catalogue, Webhooks = webhooks, Backfill = backfill, TimerService = timers,
                Campaigns = campaigns, Offers = offers };
            if (options.Recommendations.Enabled)
                engine.Recommendations = await RecommendationsStartup.StartAsync(engine, bootstrapServers, loggerFactory, clock, ct);
            return engine;
        }
        catch
        {
            await system.Terminate();
            await store.DisposeAsync();
            throw;
        }
    }

    private static async Task JoinAsync(ActorSystem system, NodeOptions node, CancellationToken ct)
    {
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        if (node.SeedNodes.Length == 0) cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }

    /// <summary>How many user shards and live user entities this node hosts now.</summary>
    public async Task<(int Shards, int Entities)> LocalUsersAsync(TimeSpan timeout)
    {
        var state = await Users.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout);
        return (state.Shards.Count, state.Shards.Sum(s => s.EntityIds.Count));
    }

    public async Task<Domain.Profiles.UserProfile?> GetProfileAsync(string userId, TimeSpan timeout, CancellationToken ct = default)
    {
        var reply = await Users.Ask<ProfileReply>(new GetProfile(userId), timeout, ct);
        return reply.Isolated is { } reason ? throw new ProfileIsolatedException(userId, reason) : reply.Profile;
    }

    public Task<BackfillProgress> GetBackfillProgressAsync(TimeSpan timeout, CancellationToken ct = default) =>
        Backfill.IsNobody() ? Task.FromResult(BackfillProgress.Disabled) : Backfill.Ask<BackfillProgress>(GetBackfillProgress.Instance, timeout, ct);

    /// <summary>True once the actor system has terminated (this node left the cluster or was downed).</summary>
    public Task Terminated => System.WhenTerminated;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _shardStats.DisposeAsync();
        // Stops ingest (final checkpoint), then leaves the cluster: hand-off makes entities save what is dirty.
        // Every phase has its share of Node:StopGrace; this bounds the whole, whatever waits.
        var grace = Options.Node.StopGrace;
        var started = global::System.Diagnostics.Stopwatch.GetTimestamp();
        // The item statistics feed is a stream of this actor system: stopped while the system still runs, it ends at once
        // (after the system's termination it would wait out its own timeout).
        if (Recommendations is { } recommendations) await recommendations.DisposeAsync();
        try
        {
            await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            _log.LogWarning("The node did not finish leaving the cluster within Node:StopGrace ({Grace} s); stopping anyway", grace.TotalSeconds);
        }
        var left = grace - global::System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Producer.Flush(left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        Producer.Dispose();
        await Store.DisposeAsync();
        _log.LogInformation("Engine stopped");
    }
}

/// <summary>Seams for tests and embedders: <see cref="Users"/> adjusts the settings every user entity starts with.</summary>
public sealed record EngineHooks(Func<UserActorSettings, UserActorSettings>? Users = null);

/// <summary>The profile is isolated (docs/durability.md#isolated-profiles): it cannot be read until fixed or erased.</summary>
public sealed class ProfileIsolatedException(string userId, string reason) : Exception($"profile is isolated: {reason}")
{
    public string UserId { get; } = userId;
    public string Reason { get; } = reason;
}

public sealed class OptionsValidationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

public static class ProfileStoreFactory
{
    public static IProfileStore Create(StorageOptions storage, TimeProvider? clock = null) => storage.Provider.ToLowerInvariant() switch
    {
        "sqlite" => new SqliteProfileStore(Path.Combine(storage.DataDirectory, "profiles.db"), clock),
        "postgresql" => new PostgresProfileStore(storage.ConnectionString!, clock),
        "memory" => new InMemoryProfileStore(clock),
        var other => throw new ArgumentException($"Dmp:Storage:Provider: unknown provider '{other}'"),
    };
}
