using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>Thrown when the target cannot be reached at all; the message is what the user sees.</summary>
public sealed class TargetUnreachableException(string message) : Exception(message);

/// <summary>A destination for generated events. Counters are updated from delivery callbacks, so they are read racily.</summary>
public interface IEventSink : IAsyncDisposable
{
    /// <summary>Fails with <see cref="TargetUnreachableException"/> when the target is not there.</summary>
    Task ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Hands one event over; may wait when the target applies back-pressure.</summary>
    ValueTask SendAsync(GeneratedEvent generated, CancellationToken cancellationToken);

    /// <summary>Called when the schedule has nothing due: a chance to ship a partial batch that has waited long enough.</summary>
    ValueTask IdleAsync(CancellationToken cancellationToken);

    /// <summary>Waits for everything handed over to be delivered or failed.</summary>
    Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken);

    long Delivered { get; }

    /// <summary>Events the target refused as bad input (HTTP 4xx); expected with --invalid-share.</summary>
    long Rejected { get; }

    long Failed { get; }

    string? LastError { get; }
}

public static class LoadgenSinks
{
    public static IEventSink Create(LoadgenSettings settings) => settings.Target switch
    {
        LoadgenTarget.Kafka kafka => new KafkaEventSink(kafka),
        LoadgenTarget.Http http => new HttpEventSink(http),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Target, "unknown target"),
    };
}
