using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Observability;

/// <summary>
/// The spans of an event's path: <c>dmp.ingest.consume</c> (read from Kafka, continuing the producer's
/// traceparent header) → <c>dmp.profile.apply</c> (in the user entity) → <c>dmp.profile.durable</c>
/// (the checkpoint write that made it durable; the batch's <c>dmp.profiles.write</c> span links to
/// every event in it). Later stages continue from the apply span: it is <see cref="Activity.Current"/>
/// while the entity handles the event, and its traceparent is what goes on messages it causes.
/// Without a listener nothing is created: every entry point returns null first.
/// </summary>
public static class DmpTracing
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";
    public const string EventIdAttribute = "dmp.event.id";
    public const string EventTypeAttribute = "dmp.event.type";
    public const string OutcomeAttribute = "dmp.outcome";
    public const string RejectReasonAttribute = "dmp.reject.reason";
    public const string ProfilesAttribute = "dmp.profiles.count";

    /// <summary>Per user and checkpoint, the traced events kept for the durable spans (the rest only count).</summary>
    public const int MaxTracedEventsPerSave = 64;
    private const int MaxLinksPerWrite = 128;

    private static ActivitySource Source => DmpMetrics.Tracing;

    /// <summary>The consume span of one Kafka record: a child of its traceparent header, else a new trace.</summary>
    public static Activity? StartConsume(ConsumeResult<byte[]?, byte[]> record, string group)
    {
        if (!Source.HasListeners()) return null;
        var span = StartDetached("dmp.ingest.consume", ActivityKind.Consumer, ParentFrom(record.Message.Headers));
        if (span is null) return null;
        span.SetTag("messaging.system", "kafka");
        span.SetTag("messaging.operation.type", "process");
        span.SetTag("messaging.destination.name", record.Topic);
        span.SetTag("messaging.destination.partition.id", record.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        span.SetTag("messaging.kafka.offset", record.Offset.Value);
        span.SetTag("messaging.consumer.group.name", group);
        return span;
    }

    /// <summary>Names what the record turned out to be; ids only, never event content.</summary>
    public static void Parsed(Activity? span, UserEvent? parsed, Rejection rejection)
    {
        if (span is null) return;
        if (parsed is not null)
        {
            span.SetTag(EventIdAttribute, parsed.EventId);
            span.SetTag(EventTypeAttribute, EventTypes.ToWire(parsed.Type));
        }
        else
        {
            span.SetTag(RejectReasonAttribute, rejection.Code);
            span.SetStatus(ActivityStatusCode.Error, rejection.Code);
        }
    }

    /// <summary>Ends a consume span once its event is applied in memory (or dead-lettered).</summary>
    public static void Delivered(Activity? span, ApplyOutcome? outcome)
    {
        if (span is null) return;
        span.SetTag(OutcomeAttribute, outcome is { } o ? OutcomeName(o) : "dead_lettered");
        span.Stop();
    }

    /// <summary>
    /// The apply span, a child of the consume span whose traceparent travelled on the message. It
    /// becomes <see cref="Activity.Current"/> until disposed, so work done while applying nests in it.
    /// </summary>
    public static Activity? StartApply(string? traceParent, string eventId)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, out var parent)) return null;
        var span = Source.StartActivity("dmp.profile.apply", ActivityKind.Internal, parent);
        span?.SetTag(EventIdAttribute, eventId);
        return span;
    }

    /// <summary>Tags the outcome; returns <paramref name="traced"/> with this event added when its trace is recorded and it changed the profile.</summary>
    public static List<TracedEvent>? Applied(Activity? span, ApplyOutcome outcome, string eventId, List<TracedEvent>? traced)
    {
        if (span is null) return traced;
        span.SetTag(OutcomeAttribute, OutcomeName(outcome));
        if (!span.Recorded || outcome != ApplyOutcome.Applied) return traced;
        traced ??= [];
        if (traced.Count < MaxTracedEventsPerSave) traced.Add(new TracedEvent(span.Context, eventId));
        return traced;
    }

    /// <summary>One span per store transaction that carries traced events, linked to each of them.</summary>
    public static Activity? StartWrite(IReadOnlyList<SaveProfile> batch)
    {
        if (!Source.HasListeners()) return null;
        List<ActivityLink>? links = null;
        foreach (var save in batch)
        foreach (var traced in save.Traced ?? [])
            if ((links ??= []).Count < MaxLinksPerWrite) links.Add(new ActivityLink(traced.Context));
        if (links is null) return null;
        var span = StartDetached("dmp.profiles.write", ActivityKind.Internal, default, links);
        span?.SetTag(ProfilesAttribute, batch.Count);
        return span;
    }

    /// <summary>
    /// Ends the write span and gives every traced event a <c>dmp.profile.durable</c> span in its own
    /// trace, covering the write that made it durable.
    /// </summary>
    public static void EndWrite(Activity? write, IReadOnlyList<SaveProfile> batch, string? error)
    {
        if (write is null) return;
        if (error is not null) write.SetStatus(ActivityStatusCode.Error, error);
        var started = new DateTimeOffset(write.StartTimeUtc, TimeSpan.Zero);
        ActivityLink[] toWrite = [new(write.Context)];
        foreach (var save in batch)
        foreach (var traced in save.Traced ?? [])
        {
            var durable = StartDetached("dmp.profile.durable", ActivityKind.Internal, traced.Context, toWrite, started);
            if (durable is null) continue;
            durable.SetTag(EventIdAttribute, traced.EventId);
            if (error is not null) durable.SetStatus(ActivityStatusCode.Error, error);
            durable.Stop();
        }
        write.Stop();
    }

    /// <summary>
    /// Headers that carry <paramref name="current"/> (e.g. the HTTP request's span, which continues the
    /// caller's traceparent) onto produced messages; null when there is nothing worth propagating.
    /// </summary>
    public static Headers? PropagationHeaders(Activity? current, bool callerSentTraceParent)
    {
        if (current is not { IdFormat: ActivityIdFormat.W3C, Id: { } id } || !(current.Recorded || callerSentTraceParent)) return null;
        var headers = new Headers { { TraceParentHeader, Encoding.ASCII.GetBytes(id) } };
        if (current.TraceStateString is { Length: > 0 } state) headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(state));
        return headers;
    }

    private static ActivityContext ParentFrom(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(TraceParentHeader, out var parent)) return default;
        var state = headers.TryGetLastBytes(TraceStateHeader, out var s) ? Encoding.ASCII.GetString(s) : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent), state, isRemote: true, out var context) ? context : default;
    }

    /// <summary>
    /// Starts a span that never inherits whatever is current on this (shared, pooled) thread, and
    /// leaves the thread's current span as it was: these spans end later, elsewhere.
    /// </summary>
    private static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent,
        IEnumerable<ActivityLink>? links = null, DateTimeOffset startTime = default)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try { return Source.StartActivity(name, kind, parent, links: links, startTime: startTime); }
        finally { Activity.Current = previous; }
    }

    private static string OutcomeName(ApplyOutcome outcome) => outcome switch
    {
        ApplyOutcome.Applied => "applied",
        ApplyOutcome.ReplayedPosition => "replayed_position",
        ApplyOutcome.DuplicateEventId => "duplicate_event_id",
        _ => outcome.ToString(),
    };
}

/// <summary>An applied event whose trace is recorded: the durable write adds a span to that trace.</summary>
public readonly record struct TracedEvent(ActivityContext Context, string EventId);
