using System.Text;
using Confluent.Kafka;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Ingest;

/// <summary>
/// Publishes a rejected record to the dead-letter topic: the original key and bytes, the reason as
/// headers (machine-readable code, human detail, where it came from). Its offset is committed only
/// after the dead letter is acknowledged, so a rejected event is never dropped silently.
/// </summary>
public sealed class DeadLetterPublisher(IProducer<byte[]?, byte[]> producer, string topic)
{
    public const string ReasonHeader = "dmp-reject-reason";
    public const string DetailHeader = "dmp-reject-detail";
    public const string ExceptionHeader = "dmp-reject-exception";
    public const string SourceHeader = "dmp-source";

    public async Task PublishAsync(IngestRecord record, DeadLetter reason)
    {
        var headers = new Headers
        {
            { ReasonHeader, Encoding.UTF8.GetBytes(reason.Code) },
            { DetailHeader, Encoding.UTF8.GetBytes(reason.Detail) },
            { SourceHeader, Encoding.UTF8.GetBytes($"{record.Offset.TopicPartition.Topic}/{record.Position.Partition}/{record.Position.Offset}") },
        };
        if (reason.Exception is { } exception) headers.Add(ExceptionHeader, Encoding.UTF8.GetBytes(exception));
        // Whoever reads the dead letters continues the record's trace.
        if (record.Span?.Id is { } traceParent) headers.Add(DmpTracing.TraceParentHeader, Encoding.ASCII.GetBytes(traceParent));
        await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = record.Key, Value = record.Value, Headers = headers });
        DmpMetrics.EventsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason.Code));
    }
}

/// <summary>Why a record goes to the dead-letter topic: a parse rejection (<see cref="Domain.Events.Rejection.Code"/>),
/// or one of the engine's own codes for a valid event that could not be applied.</summary>
/// <param name="Exception">The exception type, when applying the event threw.</param>
public readonly record struct DeadLetter(string Code, string Detail, string? Exception = null)
{
    /// <summary>Applying the event to its profile threw; the profile is as it was before the event.</summary>
    public const string ApplyFailed = "apply_failed";

    /// <summary>The user's profile is isolated (it cannot be decoded or written); see /admin/v1/profiles/isolated.</summary>
    public const string ProfileIsolated = "profile_isolated";

    public static DeadLetter Of(Domain.Events.Rejection rejection) => new(rejection.Code, rejection.Detail);

    /// <summary>The dead letter an entity's answer calls for: an event it failed to apply, or one its isolated profile
    /// cannot take; null for every other outcome (the event is done).</summary>
    public static DeadLetter? For(Profiles.EventApplied applied) => applied.Outcome switch
    {
        Domain.Profiles.ApplyOutcome.Failed => new DeadLetter(ApplyFailed, applied.Detail ?? "", applied.Exception),
        Domain.Profiles.ApplyOutcome.Isolated => new DeadLetter(ProfileIsolated, applied.Detail ?? "", applied.Exception),
        _ => null,
    };
}
