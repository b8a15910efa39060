using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Profiles;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using DmpActors.Kafka.Stages;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Ingest;

public sealed record IngestSettings(
    ConsumerSettings Consumer,
    string EventsTopic,
    string DeadLetterTopic,
    long LogGeneration,
    TimeSpan CheckpointInterval,
    int MaxEventsPerCheckpoint,
    int MaxInFlight,
    TimeSpan AckTimeout,
    TimeSpan CheckpointTimeout,
    TimeSpan MaxRestartBackoff,
    EventLimits Limits)
{
    /// <summary>How long a stop may take: half of it waits for the entities' acks, the rest for the last checkpoint.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(9);

    /// <summary>Moved to each valid event's time when the engine follows event time (Dmp:Profiles:Clock = event).</summary>
    public EventTimeClock? EventClock { get; init; }

    /// <summary>Bytes of records between the source and their acks (beside <see cref="MaxInFlight"/> records).</summary>
    public long MaxInFlightBytes { get; init; } = 32 * 1024 * 1024;
}

/// <summary>What the ingest is doing, for /readyz, /v1/info and tests.</summary>
public sealed record IngestStatus(
    bool Running,
    long Restarts,
    string? LastError,
    long Checkpoints,
    long RecordsCheckpointed,
    DateTimeOffset? LastCheckpointAt,
    /// <summary>Per partition, the next offset to read as committed to Kafka (everything before it is durable).</summary>
    IReadOnlyDictionary<int, long> NextOffsetByPartition)
{
    /// <summary>The events topic's partitions the consumer group assigns to this node now.</summary>
    public IReadOnlyList<int> AssignedPartitions { get; init; } = [];
}

/// <summary>
/// Runs the ingest stream — consume → parse → dead-letter invalid → apply in user entities →
/// checkpoint → commit — and restarts it with backoff after any failure. A restart resumes from the
/// committed offsets; what is replayed is absorbed by the profiles' dedupe.
/// </summary>
public sealed class IngestService : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _users;
    private readonly IngestSettings _settings;
    private readonly DeadLetterPublisher _deadLetters;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, long> _committed = new();
    private Task? _loop;
    private volatile IConsumerControl? _control;
    private volatile bool _running;
    private long _restarts;
    private long _checkpoints;
    private long _recordsCheckpointed;
    private string? _lastError;
    private DateTimeOffset? _lastCheckpointAt;
    private int _disposed;

    public IngestService(ActorSystem system, IActorRef users, IngestSettings settings, IProducer<byte[]?, byte[]> producer, TimeProvider clock, ILogger log)
    {
        _system = system;
        _users = users;
        _settings = settings;
        _deadLetters = new DeadLetterPublisher(producer, settings.DeadLetterTopic);
        _clock = clock;
        _log = log;
    }

    public IngestStatus Status => new(_running, Interlocked.Read(ref _restarts), _lastError, Interlocked.Read(ref _checkpoints),
        Interlocked.Read(ref _recordsCheckpointed), _lastCheckpointAt, new Dictionary<int, long>(_committed))
    {
        AssignedPartitions = _control?.Assignment.Where(tp => tp.Topic == _settings.EventsTopic).Select(tp => tp.Partition.Value).Order().ToArray() ?? [],
    };

    /// <summary>Raised when a checkpoint is durable (its offsets then go to the committer).</summary>
    public event Action<CheckpointCompleted>? CheckpointCompleted;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stopping.IsCancellationRequested)
        {
            var checkpointsBefore = Interlocked.Read(ref _checkpoints);
            try
            {
                var (control, completion) = Build().Run(_system.Materializer());
                _control = control;
                _running = true;
                _log.LogInformation("Ingest consuming {Topic} as group {Group} (log generation {Generation})",
                    _settings.EventsTopic, _settings.Consumer.GroupId, _settings.LogGeneration);
                await using (stopping.Register(() => control.Stop()))
                    await completion;
                if (stopping.IsCancellationRequested) return;
                throw new InvalidOperationException("the consumer stream completed unexpectedly");
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                _lastError = ex.GetBaseException().Message;
                Interlocked.Increment(ref _restarts);
                DmpMetrics.IngestRestarts.Add(1);
                _log.LogWarning(ex, "Ingest stream failed; restarting from committed offsets in {Backoff}", backoff);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                _running = false;
                if (_control is { } control) await ShutdownQuietly(control);
                _control = null;
            }
            if (Interlocked.Read(ref _checkpoints) > checkpointsBefore) backoff = TimeSpan.FromMilliseconds(500);
            try { await Task.Delay(backoff, stopping); } catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _settings.MaxRestartBackoff.Ticks));
        }
    }

    private IRunnableGraph<(IConsumerControl, Task<Done>)> Build()
    {
        var settings = _settings;
        var gaps = new OffsetGapDetector(_log);
        var durable = new DurableOffsets();
        return KafkaConsumer.CommittableSource(settings.Consumer, settings.EventsTopic)
            .Select(message =>
            {
                DmpMetrics.EventsConsumed.Add(1);
                gaps.Observe(message.Record.Partition.Value, message.Record.Offset.Value,
                    message.CommittableOffset.AssignmentId, message.CommittableOffset.AssignmentStart);
                var span = DmpTracing.StartConsume(message.Record, settings.Consumer.GroupId);
                var record = IngestRecord.Parse(message, settings.LogGeneration, _clock.GetUtcNow(), settings.Limits);
                DmpTracing.Parsed(span, record.Event, record.Rejection);
                if (record.Event is { } parsed) settings.EventClock?.Observe(parsed.Timestamp);
                record.Span = span;
                return record;
            })
            .Via(new ShardDeliveryStage(_users, _deadLetters.PublishAsync, settings.MaxInFlight, settings.AckTimeout, durable)
            {
                StopDrain = settings.StopGrace / 2, Log = _log, MaxInFlightBytes = settings.MaxInFlightBytes,
            })
            .Via(new CheckpointStage(_users, settings.CheckpointInterval, settings.MaxEventsPerCheckpoint, settings.CheckpointTimeout, checkpoint =>
            {
                durable.Advance(checkpoint.Offsets);
                OnCheckpoint(checkpoint);
            }))
            .Via(Committer.Flow(CommitterSettings.Default with { MaxBatch = 1, MaxInterval = TimeSpan.FromMilliseconds(1) }))
            .ToMaterialized(Sink.ForEach<CommitResult>(OnCommitted), Keep.Both);
    }

    private void OnCheckpoint(CheckpointCompleted checkpoint)
    {
        Interlocked.Increment(ref _checkpoints);
        Interlocked.Add(ref _recordsCheckpointed, checkpoint.Records);
        _lastCheckpointAt = _clock.GetUtcNow();
        CheckpointCompleted?.Invoke(checkpoint);
    }

    /// <summary>Kafka acknowledged the commit: only now are these offsets reported as committed.</summary>
    private void OnCommitted(CommitResult result)
    {
        foreach (var offset in result.Committed)
            _committed[offset.Partition.Value] = offset.Offset.Value;
    }

    private async Task ShutdownQuietly(IConsumerControl control)
    {
        try { await control.Shutdown(); }
        catch (Exception ex) { _log.LogDebug(ex, "Consumer shutdown reported an error"); }
    }

    /// <summary>Stops consuming, lets what is in flight reach a final checkpoint and commit, then returns. Safe to call
    /// more than once (coordinated shutdown and the host may both stop the engine).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop.WaitAsync(_settings.StopGrace); }
            catch (TimeoutException)
            {
                // What is not checkpointed is replayed by the next consumer of these partitions: nothing is lost.
                _log.LogWarning("Ingest did not finish its last checkpoint within {Grace} s; stopping without it", _settings.StopGrace.TotalSeconds);
            }
        }
        _stopping.Dispose();
    }
}
