using Confluent.Kafka;
using DmpActors.Engine.Hosting;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Host.Runtime;

/// <summary>
/// Starts and stops what the node runs: the embedded broker (embedded mode), then the engine.
/// Endpoints reach them through <see cref="Engine"/> and <see cref="Broker"/>.
/// </summary>
public sealed class DmpRuntime(DmpOptions options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime, TimeProvider clock) : IHostedService
{
    private readonly ILogger _log = loggerFactory.CreateLogger<DmpRuntime>();
    private DmpEngine? _engine;

    public DmpOptions Options { get; } = options;
    public EmbeddedKafkaBroker? Broker { get; private set; }
    public DmpEngine Engine => _engine ?? throw new InvalidOperationException("the engine is not running");
    public bool Started => _engine is not null;

    /// <summary>What "now" is for profile reads (Dmp:Profiles:Clock): the host's clock, or the engine's event-time clock.</summary>
    public TimeProvider ProfileClock => Options.Profiles.FollowsEventTime ? Engine.ProfileClock : clock;
    public string BootstrapServers { get; private set; } = options.Kafka.BootstrapServers;

    public async Task StartAsync(CancellationToken ct)
    {
        var kafka = Options.Kafka;
        if (kafka.Embedded)
        {
            var brokerOptions = new EmbeddedBrokerOptions { Brokers = kafka.EmbeddedBrokers, ListenAddress = kafka.BootstrapServers }
                .WithTopic(kafka.EventsTopic, kafka.Partitions)
                .WithTopic(kafka.DeadLetterTopic, kafka.Partitions)
                .WithTopic(kafka.SegmentChangesTopic, kafka.Partitions)
                .WithTopic(kafka.OffersTopic, kafka.Partitions)
                .WithTopic(Options.Recommendations.Ctr.ImpressionsTopic, kafka.Partitions);
            Broker = EmbeddedKafkaBroker.Start(brokerOptions, loggerFactory.CreateLogger<EmbeddedKafkaBroker>());
            BootstrapServers = Broker.BootstrapServers;
        }
        _engine = await DmpEngine.StartAsync(Options, BootstrapServers, freshLog: kafka.Embedded, loggerFactory, ct: ct);
        // A node that left the cluster (`cluster leave`) or was downed cannot rejoin with the same actor system:
        // the process stops, and its supervisor (systemd, Kubernetes, compose) starts a fresh one.
        _ = _engine.Terminated.ContinueWith(_ =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested) return;
            _log.LogWarning("This node's actor system terminated (it left the cluster or was downed); stopping the host");
            lifetime.StopApplication();
        }, TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_engine is not null) await _engine.DisposeAsync();
        _engine = null;
        if (Broker is not null) await Broker.DisposeAsync();
        Broker = null;
    }

    /// <summary>Checks for /readyz: each check's name and whether it passed, with a reason when not.</summary>
    public async Task<IReadOnlyList<ReadinessCheck>> CheckReadinessAsync(CancellationToken ct)
    {
        if (_engine is not { } engine) return [new ReadinessCheck("engine", false, "starting")];
        var checks = new List<ReadinessCheck> { new("cluster", engine.ClusterUp, engine.ClusterUp ? null : "this node is not Up") };
        try
        {
            using var admin = new DependentAdminClientBuilder(engine.Producer.Handle).Build();
            var metadata = admin.GetMetadata(Options.Kafka.EventsTopic, TimeSpan.FromSeconds(2));
            var topic = metadata.Topics.FirstOrDefault();
            var ok = topic is not null && topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0;
            checks.Add(new ReadinessCheck("kafka", ok, ok ? null : $"topic {Options.Kafka.EventsTopic}: {topic?.Error.Reason ?? "missing"}"));
        }
        catch (Exception ex)
        {
            checks.Add(new ReadinessCheck("kafka", false, ex.Message));
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await engine.Store.PingAsync(timeout.Token);
            checks.Add(new ReadinessCheck("store", true, null));
        }
        catch (Exception ex)
        {
            checks.Add(new ReadinessCheck("store", false, ex.GetBaseException().Message));
        }
        if (engine.Ingest is { } ingest)
        {
            var status = ingest.Status;
            checks.Add(new ReadinessCheck("ingest", status.Running, status.Running ? null : $"restarting: {status.LastError}"));
        }
        return checks;
    }
}

public sealed record ReadinessCheck(string Name, bool Ok, string? Reason);
