using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Hosting;

/// <summary>Everything configurable, bound from the "Dmp" section (environment: DMP__Kafka__BootstrapServers, ...).</summary>
public sealed class DmpOptions
{
    public const string Section = "Dmp";

    public NodeOptions Node { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public ShardingOptions Sharding { get; set; } = new();
    public KafkaOptions Kafka { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public IngestOptions Ingest { get; set; } = new();
    public AdminOptions Admin { get; set; } = new();
    public IdentityOptions Identity { get; set; } = new();
    public PrivacyOptions Privacy { get; set; } = new();
    public ProfilesOptions Profiles { get; set; } = new();
    public TelemetryOptions Telemetry { get; set; } = new();
    public SecurityOptions Security { get; set; } = new();
    public Recommendations.RecommendationOptions Recommendations { get; set; } = new();
    public WebhooksOptions Webhooks { get; set; } = new();
    public CampaignsOptions Campaigns { get; set; } = new();
    public BackfillOptions Backfill { get; set; } = new();
    public TimerOptions Timers { get; set; } = new();
    public Models.ModelsOptions Models { get; set; } = new();

    /// <summary>Every problem as a "Dmp:Key: what is wrong" line, in one list; empty when valid.</summary>
    public IReadOnlyList<string> Validate() => OptionsProblems.Of(Section, problems =>
    {
        Node.Validate(problems.Under("Node"));
        Cluster.Validate(problems.Under("Cluster"));
        Sharding.Validate(problems.Under("Sharding"));
        Kafka.Validate(problems.Under("Kafka"));
        Storage.Validate(problems.Under("Storage"));
        Ingest.Validate(problems.Under("Ingest"));
        Admin.Validate(problems.Under("Admin"));
        Identity.Validate(problems.Under("Identity"));
        Privacy.Validate(problems.Under("Privacy"));
        Profiles.Validate(problems.Under("Profiles"));
        Telemetry.Validate(problems.Under("Telemetry"));
        Webhooks.Validate(problems.Under("Webhooks"));
        Campaigns.Validate(problems.Under("Campaigns"));
        Security.Validate(problems.Under("Security"), Kafka.Embedded, Admin.HasApiKey);
        Recommendations.Validate(problems.Under("Recommendations"));
        Backfill.Validate(problems.Under("Backfill"));
        Timers.Validate(problems.Under("Timers"));
        Models.Validate(problems.Under("Models"));
        // Profiles in memory are lost at every stop; only a log that is lost with them (the embedded broker's) and a
        // single node (entities moving between nodes would find another node's memory) keep offsets and profiles in step.
        problems.Under("Storage").Check(!Storage.Provider.Equals("memory", StringComparison.OrdinalIgnoreCase) || (Kafka.Embedded && Node.SeedNodes.Length == 0),
            "Provider", "'memory' is for a single node with the embedded broker (Kafka:Embedded=true, no Node:SeedNodes): its profiles are lost when the node stops");
    });
}

public sealed class NodeOptions
{
    public string ClusterName { get; set; } = "dmp";
    public string Hostname { get; set; } = "127.0.0.1";
    /// <summary>Akka.Remote port; 0 picks a free one.</summary>
    public int Port { get; set; } = 4053;
    /// <summary>Seed node addresses (akka.tcp://dmp@host:port); empty = this node founds its own cluster.</summary>
    public string[] SeedNodes { get; set; } = [];
    /// <summary>How long membership must be stable before the split-brain resolver (keep-majority) downs unreachable
    /// nodes. Shorter recovers a killed node's users sooner; too short downs nodes on a long GC pause.</summary>
    public TimeSpan DowningStableAfter { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>How long a stop may take in all (keep it below the orchestrator's grace period, e.g. Kubernetes'
    /// 30 s): half for the ingest to drain and take its last checkpoint, the rest for hand-off and leaving.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(20);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(ClusterNamePattern.IsMatch(ClusterName), "ClusterName", $"must be letters, digits, '-' or '_' (an actor system name), got '{ClusterName}'");
        problems.Check(!string.IsNullOrWhiteSpace(Hostname), "Hostname", "must not be empty");
        problems.Check(Port is >= 0 and <= 65535, "Port", $"must be 0..65535 (0 = any free port), got {Port}");
        problems.Check(DowningStableAfter >= TimeSpan.FromSeconds(1), "DowningStableAfter", $"must be at least 1 s, got {DowningStableAfter}");
        problems.Check(StopGrace >= TimeSpan.FromSeconds(2), "StopGrace", $"must be at least 2 s, got {StopGrace}");
        for (var i = 0; i < SeedNodes.Length; i++)
            problems.Check(IsSeedNode(SeedNodes[i], ClusterName), $"SeedNodes:{i}",
                $"'{SeedNodes[i]}' is not an address of this cluster like akka.tcp://{ClusterName}@host:4053");
    }

    private static readonly Regex ClusterNamePattern = new("^[A-Za-z0-9][A-Za-z0-9_-]*$");

    private static bool IsSeedNode(string address, string clusterName) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
        && uri.Scheme == "akka.tcp"
        && uri.UserInfo == clusterName
        && uri.Host.Length > 0
        && uri.Port is >= 1 and <= 65535
        && uri.AbsolutePath is "" or "/";
}

/// <summary>What every node of the cluster must agree on (Dmp:Cluster); docs/cluster.md.</summary>
public sealed class ClusterOptions
{
    public const int MaxShards = 10_000;

    /// <summary>
    /// How many shards the user ids hash into. The same on every node, changed only with the whole cluster stopped;
    /// about ten per node the cluster may grow to keeps rebalancing fine-grained.
    /// </summary>
    public int Shards { get; set; } = 100;

    public void Validate(OptionsProblems problems)
    {
        problems.Check(Shards is >= 1 and <= MaxShards, "Shards", $"must be 1..{MaxShards}, got {Shards}");
    }
}

public sealed class KafkaOptions
{
    /// <summary>Start the in-process Kafka-protocol broker (librdkafka's mock cluster) and use it.</summary>
    public bool Embedded { get; set; } = true;
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";
    public int EmbeddedBrokers { get; set; } = 1;
    public int Partitions { get; set; } = 6;
    public string EventsTopic { get; set; } = "dmp.events";
    public string DeadLetterTopic { get; set; } = "dmp.events.dlq";
    public string SegmentChangesTopic { get; set; } = "dmp.segment-changes";
    public string OffersTopic { get; set; } = "dmp.offers";
    public string GroupId { get; set; } = "dmp-ingest";
    /// <summary>
    /// Identifies the life of the events log, for replay dedupe. Embedded mode counts broker starts
    /// itself; with a real Kafka it stays 1 unless the topic is deleted and recreated (then raise it).
    /// </summary>
    public long? LogGeneration { get; set; }

    public void Validate(OptionsProblems problems)
    {
        problems.Check(!string.IsNullOrWhiteSpace(BootstrapServers), "BootstrapServers", "must not be empty");
        problems.Check(string.IsNullOrWhiteSpace(BootstrapServers) || IsHostPortList(BootstrapServers, allowAnyPort: Embedded), "BootstrapServers",
            $"must be host:port[,host:port...], got '{BootstrapServers}'");
        problems.Check(Partitions is >= 1 and <= 1024, "Partitions", $"must be 1..1024, got {Partitions}");
        problems.Check(EmbeddedBrokers is >= 1 and <= 5, "EmbeddedBrokers", $"must be 1..5, got {EmbeddedBrokers}");
        problems.Check(!string.IsNullOrWhiteSpace(EventsTopic), "EventsTopic", "must not be empty");
        problems.Check(!string.IsNullOrWhiteSpace(DeadLetterTopic), "DeadLetterTopic", "must not be empty");
        problems.Check(!string.IsNullOrWhiteSpace(GroupId), "GroupId", "must not be empty");
        problems.Check(LogGeneration is null or >= 1, "LogGeneration", "must be at least 1");
    }

    /// <param name="allowAnyPort">The embedded broker may listen on port 0 (any free port).</param>
    private static bool IsHostPortList(string servers, bool allowAnyPort) =>
        servers.Split(',').All(server =>
        {
            var colon = server.LastIndexOf(':');
            return colon > 0
                && !string.IsNullOrWhiteSpace(server[..colon])
                && int.TryParse(server[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port <= 65535 && (port > 0 || allowAnyPort);
        });
}

public sealed class StorageOptions
{
    public string Provider { get; set; } = "sqlite";
    public string DataDirectory { get; set; } = "data";
    public string? ConnectionString { get; set; }

    public void Validate(OptionsProblems problems)
    {
        var provider = Provider.ToLowerInvariant();
        problems.Check(provider is "sqlite" or "postgresql" or "memory", "Provider", $"must be 'sqlite', 'postgresql' or 'memory', got '{Provider}'");
        if (provider == "postgresql")
        {
            if (string.IsNullOrWhiteSpace(ConnectionString)) problems.Add("ConnectionString", "is required when Storage:Provider is 'postgresql'");
            else if (PostgresConnectionStringError(ConnectionString) is { } error) problems.Add("ConnectionString", $"is not a valid PostgreSQL connection string: {error}");
        }
        problems.Check(!string.IsNullOrWhiteSpace(DataDirectory), "DataDirectory", "must not be empty");
    }

    private static string? PostgresConnectionStringError(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(parsed.Host) ? "no Host" : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}

public sealed class IngestOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int MaxEventsPerCheckpoint { get; set; } = 200_000;
    public int MaxInFlight { get; set; } = 8192;
    /// <summary>Bytes of records waiting for their entities' acks; with MaxInFlight, whichever comes first.</summary>
    public long MaxInFlightBytes { get; set; } = 32 * 1024 * 1024;
    /// <summary>Bytes of fetched records per partition waiting for the stream (with 10,000 records).</summary>
    public long MaxBufferedBytesPerPartition { get; set; } = 8 * 1024 * 1024;
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan CheckpointTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan PassivateAfter { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(CheckpointInterval > TimeSpan.Zero, "CheckpointInterval", "must be positive");
        problems.Check(MaxEventsPerCheckpoint >= 1, "MaxEventsPerCheckpoint", "must be at least 1");
        problems.Check(MaxInFlight >= 1 && (MaxInFlight & (MaxInFlight - 1)) == 0, "MaxInFlight", $"must be a power of two, got {MaxInFlight}");
        problems.Check(AckTimeout > TimeSpan.Zero, "AckTimeout", "must be positive");
        problems.Check(MaxInFlightBytes >= 64 * 1024, "MaxInFlightBytes", $"must be at least 65536, got {MaxInFlightBytes}");
        problems.Check(MaxBufferedBytesPerPartition >= 64 * 1024, "MaxBufferedBytesPerPartition", $"must be at least 65536, got {MaxBufferedBytesPerPartition}");
        problems.Check(CheckpointTimeout > TimeSpan.Zero, "CheckpointTimeout", "must be positive");
        problems.Check(PassivateAfter > TimeSpan.Zero, "PassivateAfter", "must be positive");
        problems.Check(MaxRestartBackoff > TimeSpan.Zero, "MaxRestartBackoff", "must be positive");
    }
}

public sealed class AdminOptions
{
    /// <summary>
    /// An admin key given in clear (dmpctl --api-key); Dmp:Security:Keys holds keys as hashes. In embedded
    /// mode an unset key is generated once into DataDirectory/admin.key (see docs/dmpctl.md).
    /// </summary>
    public string? ApiKey { get; set; }

    public const int MinApiKeyLength = 16;

    /// <summary>An empty value (appsettings.json's null, an empty environment variable) means "not set".</summary>
    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(!HasApiKey || ApiKey!.Trim().Length >= MinApiKeyLength, "ApiKey",
            $"must be at least {MinApiKeyLength} characters (e.g. openssl rand -hex 24)");
    }
}

/// <summary>Profile rules (Dmp:Profiles); defaults and meanings are those of <see cref="ProfileRules"/>.</summary>
public sealed class ProfilesOptions
{
    private static readonly ProfileRules Defaults = ProfileRules.Default;

    public TimeSpan AllowedLateness { get; set; } = Defaults.AllowedLateness;
    public TimeSpan SessionGap { get; set; } = Defaults.SessionGap;
    public TimeSpan AffinityHalfLife { get; set; } = Defaults.AffinityHalfLife;
    public int MaxAffinities { get; set; } = Defaults.MaxAffinities;
    public int DistinctItemsExactBound { get; set; } = Defaults.DistinctItemsExactBound;
    public TimeSpan NewFor { get; set; } = Defaults.NewFor;
    public TimeSpan AtRiskAfter { get; set; } = Defaults.AtRiskAfter;
    public TimeSpan ChurnedAfter { get; set; } = Defaults.ChurnedAfter;
    /// <summary>Replaces the default list when set in configuration (binding a list appends to a non-empty one).</summary>
    public string[]? PiiTraits { get; set; }
    public bool HashPii { get; set; } = Defaults.HashPii;
    /// <summary>Secret prepended before hashing PII; set it per deployment (DMP__Profiles__PiiSalt).</summary>
    public string PiiSalt { get; set; } = Defaults.PiiSalt;
    /// <summary>What "now" is for recency, lifecycle and windows: <c>wall</c> (the default) or <c>event</c>, the
    /// latest event time consumed (replays of old history, backtests; docs/profiles.md#event-time).</summary>
    public string Clock { get; set; } = "wall";
    /// <summary>With <c>Clock = event</c>, what the clock reads until the first event arrives (default: the wall clock).</summary>
    public DateTimeOffset? EventClockStart { get; set; }

    public static readonly IReadOnlyList<string> ClockModes = ["wall", "event"];

    public bool FollowsEventTime => Clock.Equals("event", StringComparison.OrdinalIgnoreCase);

    public ProfileRules ToRules() => new()
    {
        AllowedLateness = AllowedLateness,
        SessionGap = SessionGap,
        AffinityHalfLife = AffinityHalfLife,
        MaxAffinities = MaxAffinities,
        DistinctItemsExactBound = DistinctItemsExactBound,
        NewFor = NewFor,
        AtRiskAfter = AtRiskAfter,
        ChurnedAfter = ChurnedAfter,
        PiiTraits = PiiTraits ?? Defaults.PiiTraits,
        HashPii = HashPii,
        PiiSalt = PiiSalt,
    };

    public void Validate(OptionsProblems problems)
    {
        foreach (var (key, problem) in ToRules().Validate()) problems.Add(key, problem);
        problems.Check(ClockModes.Contains(Clock.ToLowerInvariant()), "Clock", $"'{Clock}' is not a clock; use one of {string.Join(", ", ClockModes)}");
        problems.Check(EventClockStart is null || FollowsEventTime, "EventClockStart", "is read only with Clock = event");
    }
}

/// <summary>Metrics, traces and logs leaving the node (Prometheus /metrics is always on); docs/operations.md.</summary>
public sealed class TelemetryOptions
{
    public static readonly IReadOnlyList<string> Protocols = ["http/protobuf", "grpc"];
    public static readonly IReadOnlyList<string> SignalNames = ["metrics", "traces", "logs"];

    /// <summary>OTLP collector base address, e.g. http://collector:4318 (http/protobuf) or :4317 (grpc); empty = no OTLP export.</summary>
    public string OtlpEndpoint { get; set; } = "";
    public string OtlpProtocol { get; set; } = "http/protobuf";
    /// <summary>Comma-separated subset of metrics, traces, logs.</summary>
    public string OtlpSignals { get; set; } = "metrics,traces";
    /// <summary>Share of new traces recorded (events without a sampled traceparent); a producer's sampling decision always wins.</summary>
    public double TraceSampleRatio { get; set; } = 0.01;
    /// <summary>How often OTLP metrics and batched spans are sent.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the sharding gauges ask the shard region for its state.</summary>
    public TimeSpan ShardStatsInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool OtlpEnabled => !string.IsNullOrWhiteSpace(OtlpEndpoint);

    public IReadOnlyList<string> Signals =>
        OtlpSignals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToArray();

    public bool Exports(string signal) => OtlpEnabled && Signals.Contains(signal);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(!OtlpEnabled || (Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"), "OtlpEndpoint",
            $"must be an http:// or https:// URL (or empty for no OTLP export), got '{OtlpEndpoint}'");
        problems.Check(Protocols.Contains(OtlpProtocol), "OtlpProtocol", $"must be one of {string.Join(", ", Protocols)}, got '{OtlpProtocol}'");
        var unknown = Signals.Except(SignalNames).ToArray();
        if (unknown.Length > 0)
            problems.Add("OtlpSignals", $"unknown signal(s) {string.Join(", ", unknown)}; use a comma-separated subset of {string.Join(", ", SignalNames)}");
        else if (OtlpEnabled && Signals.Count == 0)
            problems.Add("OtlpSignals", "must name at least one signal when OtlpEndpoint is set");
        problems.Check(TraceSampleRatio is >= 0 and <= 1, "TraceSampleRatio", $"must be 0..1, got {TraceSampleRatio}");
        problems.Check(ExportInterval > TimeSpan.Zero, "ExportInterval", "must be positive");
        problems.Check(ShardStatsInterval > TimeSpan.Zero, "ShardStatsInterval", "must be positive");
    }
}
