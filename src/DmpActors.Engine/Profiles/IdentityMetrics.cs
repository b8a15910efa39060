using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

/// <summary>Identity stitching and erasure instruments (Prometheus: dmp_identity_..., dmp_events_quarantined_total, ...).</summary>
public static class IdentityMetrics
{
    public static readonly Counter<long> Merges = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.merges", "{merge}", "Profiles merged into another by identify or alias");
    public static readonly Counter<long> MergesRefused = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.merges_refused", "{merge}", "Merges refused by a rule, by reason");
    public static readonly Counter<long> MergeRetries = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.merge_retries", "{merge}", "Merges tried again because the other profile was busy with a merge of its own");
    public static readonly Counter<long> MergeFailures = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.merge_failures", "{merge}", "Merges and unmerges that did not commit (store error, timeout); a merge is replayed from its trigger event");
    public static readonly Histogram<double> MergeDuration = DmpMetrics.Meter.CreateHistogram<double>("dmp.identity.merge.duration", "ms", "From the stitching event to the merge being durable");
    public static readonly Counter<long> Unmerges = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.unmerges", "{merge}", "Merges undone");
    public static readonly Counter<long> EventsForwarded = DmpMetrics.Meter.CreateCounter<long>("dmp.identity.events_forwarded", "{event}", "Events for a merged id forwarded to its survivor");
    public static readonly Counter<long> Erasures = DmpMetrics.Meter.CreateCounter<long>("dmp.profiles.erased", "{id}", "Ids erased (a user and the ids merged into it)");
    public static readonly Counter<long> EventsQuarantined = DmpMetrics.Meter.CreateCounter<long>("dmp.events.quarantined", "{event}", "Events for an erased id dropped during its quarantine");
}
