using System.Collections.Immutable;
using Confluent.Kafka;
using DmpActors.Kafka.Embedded;

namespace DmpActors.Kafka.Settings;

/// <summary>
/// Immutable consumer settings. Auto-commit and auto offset store are always off: offsets are
/// committed only through <see cref="Dsl.Committer"/>.
/// <para>
/// Defaults max.poll.interval.ms = 10000 and session.timeout.ms = 6000: the poll thread keeps
/// polling whatever downstream does (slow partitions are paused, not starved), so a short poll
/// interval is safe, and the embedded (mock) broker completes a rebalance only after the members'
/// max.poll.interval.ms, which with Kafka's 300 s default would stall a second group member for minutes.
/// </para>
/// </summary>
public sealed record ConsumerSettings
{
    public ConsumerSettings(string bootstrapServers, string groupId)
    {
        BootstrapServers = bootstrapServers;
        GroupId = groupId;
    }

    public string BootstrapServers { get; init; }
    public string GroupId { get; init; }
    public string? ClientId { get; init; }

    /// <summary>Any librdkafka consumer property; applied after the typed settings (but auto-commit stays off).</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Fetch wait (fetch.wait.max.ms) against a Kafka broker, which answers a waiting fetch as soon as records arrive.</summary>
    public static readonly TimeSpan DefaultFetchWaitMax = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Fetch wait against the embedded broker: librdkafka's mock cluster holds a fetch that found nothing for the
    /// whole wait even when records arrive meanwhile, so every record produced while the consumer is caught up waited
    /// up to the full wait (100 ms: p50 54 ms, p99 105 ms produce → consume; 5 ms: 6 / 11 ms).
    /// </summary>
    public static readonly TimeSpan EmbeddedFetchWaitMax = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long the broker may hold a fetch that finds no new records (fetch.wait.max.ms). Unset:
    /// <see cref="EmbeddedFetchWaitMax"/> when <see cref="BootstrapServers"/> is an embedded broker of this process,
    /// else <see cref="DefaultFetchWaitMax"/>. A fetch.wait.max.ms in <see cref="Properties"/> wins.
    /// </summary>
    public TimeSpan? FetchWaitMax { get; init; }

    /// <summary>How long one Consume call on the poll thread blocks; bounds the latency of commands (commit, resume, stop).</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Back-pressure bound: records of one partition fetched but not yet emitted downstream. When a
    /// partition reaches it, the poll thread pauses the partition; it resumes when below half.
    /// </summary>
    public int MaxBufferPerPartition { get; init; } = 10_000;

    /// <summary>The same bound in key and value bytes, whichever is reached first: a flood of large records must not
    /// buffer 10,000 of them.</summary>
    public long MaxBufferBytesPerPartition { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most records handed from the poll thread to the stage in one chunk.</summary>
    public int MaxChunkSize { get; init; } = 1_000;

    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Earliest;
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How often the poll thread refreshes per-partition lag (for the dmp.kafka.consumer.lag gauge).</summary>
    public TimeSpan LagRefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After the source completes or is cancelled (not stopped through its control), how long the consumer
    /// stays alive so downstream can still commit what it was given; zero shuts it down at once.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How soon a commit the group refused because it was rebalancing is sent again. It is retried, with or without
    /// new records, until it lands or its partitions are no longer this consumer's; its result waits for that outcome.</summary>
    public TimeSpan CommitRetryInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long Shutdown waits for the consumer to leave its group.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Told the partitions the group has just assigned to this consumer, on the poll thread, before any of their
    /// records is fetched (what a rebalance listener does in Akka.Streams.Kafka); it must return quickly.</summary>
    public Action<IReadOnlyList<TopicPartition>>? OnPartitionsAssigned { get; init; }

    public ConsumerSettings WithBootstrapServers(string bootstrapServers) => this with { BootstrapServers = bootstrapServers };
    public ConsumerSettings WithGroupId(string groupId) => this with { GroupId = groupId };
    public ConsumerSettings WithClientId(string clientId) => this with { ClientId = clientId };
    public ConsumerSettings WithProperty(string key, string value) => this with { Properties = Properties.SetItem(key, value) };
    public ConsumerSettings WithFetchWaitMax(TimeSpan wait) => this with { FetchWaitMax = wait };
    public ConsumerSettings WithPollTimeout(TimeSpan timeout) => this with { PollTimeout = timeout };
    public ConsumerSettings WithMaxBufferPerPartition(int max) => this with { MaxBufferPerPartition = max };
    public ConsumerSettings WithMaxBufferBytesPerPartition(long max) => this with { MaxBufferBytesPerPartition = max };
    public ConsumerSettings WithCommitRetryInterval(TimeSpan interval) => this with { CommitRetryInterval = interval };
    public ConsumerSettings WithAutoOffsetReset(AutoOffsetReset reset) => this with { AutoOffsetReset = reset };
    public ConsumerSettings WithPartitionsAssignedHandler(Action<IReadOnlyList<TopicPartition>> handler) => this with { OnPartitionsAssigned = handler };

    public ConsumerSettings WithGroupTimeouts(TimeSpan maxPollInterval, TimeSpan sessionTimeout) =>
        this with { MaxPollInterval = maxPollInterval, SessionTimeout = sessionTimeout };

    public ConsumerConfig ToConsumerConfig()
    {
        if (MaxBufferPerPartition < 2) throw new ArgumentOutOfRangeException(nameof(MaxBufferPerPartition), "must be >= 2");
        if (FetchWaitMax is { } wait && (wait < TimeSpan.Zero || wait.TotalMilliseconds > 300_000))
            throw new ArgumentOutOfRangeException(nameof(FetchWaitMax), wait, "must be between 0 and 300 s");
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = GroupId,
            AutoOffsetReset = AutoOffsetReset,
            MaxPollIntervalMs = (int)MaxPollInterval.TotalMilliseconds,
            SessionTimeoutMs = (int)SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = (int)Math.Max(100, SessionTimeout.TotalMilliseconds / 6),
            // A fetch returns as soon as it has a byte; the wait only bounds how long an empty one is held.
            FetchWaitMaxMs = (int)(FetchWaitMax ?? (EmbeddedKafkaBroker.Serves(BootstrapServers) ? EmbeddedFetchWaitMax : DefaultFetchWaitMax)).TotalMilliseconds,
            FetchMinBytes = 1,
            MaxPartitionFetchBytes = 4 * 1024 * 1024,
            // Bounds librdkafka's own prefetch while the poll thread waits for a full stage to drain.
            QueuedMaxMessagesKbytes = 32 * 1024,
        };
        if (ClientId is not null) config.ClientId = ClientId;
        foreach (var (key, value) in Properties)
            config.Set(key, value);
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        return config;
    }
}
