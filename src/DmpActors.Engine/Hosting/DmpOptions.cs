using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Hosting;

/// <summary>Everything configurable, bound from the "Dmp" section (environment: DMP__Kafka__BootstrapServers, ...).</summary>
public sealed class DmpOptions
{
    public const string Section = "Dmp";

    public NodeOptions Node { get; set; } = new();
    public KafkaOptions Kafka { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public IngestOptions Ingest { get; set; } = new();
    public ProfilesOptions Profiles { get; set; } = new();

    /// <summary>Problems as "Dmp:Key: what is wrong" lines; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message) { if (!ok) errors.Add($"{Section}:{key}: {message}"); }

        Check(!string.IsNullOrWhiteSpace(Node.Hostname), "Node:Hostname", "must not be empty");
        Check(Node.Port is >= 0 and <= 65535, "Node:Port", $"must be 0..65535 (0 = any free port), got {Node.Port}");
        Check(!string.IsNullOrWhiteSpace(Kafka.BootstrapServers), "Kafka:BootstrapServers", "must not be empty");
        Check(Kafka.Partitions is >= 1 and <= 1024, "Kafka:Partitions", $"must be 1..1024, got {Kafka.Partitions}");
        Check(Kafka.EmbeddedBrokers is >= 1 and <= 5, "Kafka:EmbeddedBrokers", $"must be 1..5, got {Kafka.EmbeddedBrokers}");
        Check(!string.IsNullOrWhiteSpace(Kafka.EventsTopic), "Kafka:EventsTopic", "must not be empty");
        Check(!string.IsNullOrWhiteSpace(Kafka.DeadLetterTopic), "Kafka:DeadLetterTopic", "must not be empty");
        Check(!string.IsNullOrWhiteSpace(Kafka.GroupId), "Kafka:GroupId", "must not be empty");
        Check(Kafka.LogGeneration is null or >= 1, "Kafka:LogGeneration", "must be at least 1");
        var provider = Storage.Provider.ToLowerInvariant();
        Check(provider is "sqlite" or "postgresql", "Storage:Provider", $"must be 'sqlite' or 'postgresql', got '{Storage.Provider}'");
        Check(provider != "postgresql" || !string.IsNullOrWhiteSpace(Storage.ConnectionString), "Storage:ConnectionString", "is required when Storage:Provider is 'postgresql'");
        Check(!string.IsNullOrWhiteSpace(Storage.DataDirectory), "Storage:DataDirectory", "must not be empty");
        Check(Ingest.CheckpointInterval > TimeSpan.Zero, "Ingest:CheckpointInterval", "must be positive");
        Check(Ingest.MaxEventsPerCheckpoint >= 1, "Ingest:MaxEventsPerCheckpoint", "must be at least 1");
        Check(Ingest.MaxInFlight >= 1 && (Ingest.MaxInFlight & (Ingest.MaxInFlight - 1)) == 0, "Ingest:MaxInFlight", $"must be a power of two, got {Ingest.MaxInFlight}");
        Check(Ingest.AckTimeout > TimeSpan.Zero, "Ingest:AckTimeout", "must be positive");
        Check(Ingest.CheckpointTimeout > TimeSpan.Zero, "Ingest:CheckpointTimeout", "must be positive");
        Check(Ingest.PassivateAfter > TimeSpan.Zero, "Ingest:PassivateAfter", "must be positive");
        foreach (var (key, problem) in Profiles.ToRules().Validate()) Check(false, "Profiles:" + key, problem);
        return errors;
    }
}

public sealed class NodeOptions
{
    public string ClusterName { get; set; } = "dmp";
    public string Hostname { get; set; } = "127.0.0.1";
    /// <summary>Akka.Remote port; 0 picks a free one.</summary>
    public int Port { get; set; } = 4053;
    /// <summary>Seed node addresses (akka.tcp://dmp@host:port); empty = this node founds its own cluster.</summary>
    public string[] SeedNodes { get; set; } = [];
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
}

public sealed class StorageOptions
{
    public string Provider { get; set; } = "sqlite";
    public string DataDirectory { get; set; } = "data";
    public string? ConnectionString { get; set; }
}

public sealed class IngestOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int MaxEventsPerCheckpoint { get; set; } = 200_000;
    public int MaxInFlight { get; set; } = 8192;
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan CheckpointTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan PassivateAfter { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(30);
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
}
