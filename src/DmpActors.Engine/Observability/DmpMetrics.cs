using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DmpActors.Engine.Observability;

/// <summary>The engine's instruments. Names start with "dmp." (Prometheus: dmp_...); docs/operations.md lists them.</summary>
public static class DmpMetrics
{
    public const string MeterName = "DmpActors";

    /// <summary>Every meter of ours, for a MeterProvider to listen to.</summary>
    public static readonly IReadOnlyList<string> MeterNames = [MeterName, DmpActors.Kafka.Observability.KafkaMetrics.MeterName];
    public static readonly Meter Meter = new(MeterName, typeof(DmpMetrics).Assembly.GetName().Version?.ToString());
    public static readonly ActivitySource Tracing = new(MeterName);

    public static readonly Counter<long> EventsConsumed = Meter.CreateCounter<long>("dmp.events.consumed", "{event}", "Records read from the events topic");
    public static readonly Counter<long> EventsApplied = Meter.CreateCounter<long>("dmp.events.applied", "{event}", "Events applied to a profile");
    public static readonly Counter<long> EventsDuplicate = Meter.CreateCounter<long>("dmp.events.duplicate", "{event}", "Events ignored as replays or duplicates");
    public static readonly Counter<long> EventsTooLate = Meter.CreateCounter<long>("dmp.events.too_late", "{event}", "Events applied to lifetime counters but older than the allowed lateness for the behaviour windows");
    public static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>("dmp.events.rejected", "{event}", "Invalid events sent to the dead-letter topic, by reason");
    public static readonly Counter<long> Checkpoints = Meter.CreateCounter<long>("dmp.checkpoints", "{checkpoint}", "Completed checkpoints");
    public static readonly Counter<long> CheckpointFailures = Meter.CreateCounter<long>("dmp.checkpoint.failures", "{checkpoint}", "Failed checkpoints (the stream restarts from committed offsets)");
    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>("dmp.checkpoint.duration", "ms", "Time from starting a checkpoint to every profile in it being durable");
    public static readonly Counter<long> ProfilesSaved = Meter.CreateCounter<long>("dmp.profiles.saved", "{profile}", "Profile versions written to the store");
    public static readonly Counter<long> ProfileWriteFailures = Meter.CreateCounter<long>("dmp.profiles.write_failures", "{batch}", "Failed profile store transactions");
    public static readonly Histogram<double> ProfileWriteDuration = Meter.CreateHistogram<double>("dmp.profiles.write.duration", "ms", "Duration of one profile store transaction");
    public static readonly UpDownCounter<long> ActiveUsers = Meter.CreateUpDownCounter<long>("dmp.users.active", "{entity}", "User entities alive on this node");
    public static readonly Counter<long> OffsetGaps = Meter.CreateCounter<long>("dmp.ingest.offset_gaps", "{record}", "Offsets skipped between consecutive records of a partition (records the broker no longer had, or transaction markers)");
    public static readonly ObservableGauge<long> Shards = Meter.CreateObservableGauge("dmp.sharding.shards", () => ShardRegionSampler.Observe(c => c.Shards), "{shard}", "Shards hosted by this node's region, sampled every Telemetry:ShardStatsInterval");
    public static readonly ObservableGauge<long> ShardedEntities = Meter.CreateObservableGauge("dmp.sharding.entities", () => ShardRegionSampler.Observe(c => c.Entities), "{entity}", "Entities alive in this node's region, sampled every Telemetry:ShardStatsInterval");
    public static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>("dmp.events.failed", "{event}", "Events whose application threw, sent to the dead-letter topic, by exception type");
    public static readonly Counter<long> ProfileIsolations = Meter.CreateCounter<long>("dmp.profiles.isolations", "{profile}", "Profiles isolated because they could not be decoded or written, by kind");
    public static readonly Counter<long> CollectorRequestsLimited = Meter.CreateCounter<long>("dmp.collector.requests_limited", "{request}", "Collector requests answered 429 because their key sent more than its request rate, by key name");
    public static readonly Counter<long> CollectorEventsLimited = Meter.CreateCounter<long>("dmp.collector.events_limited", "{event}", "Collector events rejected as rate_limited because their user id sent more than its event rate");
    public static readonly Counter<long> SegmentChanges = Meter.CreateCounter<long>("dmp.segments.changes", "{change}", "Segment memberships entered or exited, by kind and whether the segment is in shadow (shadow changes are counted, never published)");
    public static readonly Counter<long> SegmentPublishFailures = Meter.CreateCounter<long>("dmp.segments.publish_failures", "{batch}", "Batches of segment changes Kafka did not acknowledge (they stay in the outbox and are sent again)");
    public static readonly Counter<long> TimersFired = Meter.CreateCounter<long>("dmp.timers.fired", "{timer}", "Timers run by user entities, by module");
    public static readonly Histogram<double> SegmentEvaluationDuration = Meter.CreateHistogram<double>("dmp.segments.evaluation.duration", "ms", "Time to evaluate one user's segments after an event or on a re-evaluation");
    public static readonly Counter<long> IngestRestarts = Meter.CreateCounter<long>("dmp.ingest.restarts", "{restart}", "Times the ingest stream restarted after a failure");
}
