using System.Collections.Concurrent;
using Confluent.Kafka;
using System.Diagnostics;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Observability;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Stages;

/// <summary>Events from the poll thread to the source stage (implemented with async callbacks).</summary>
internal interface IConsumerLoopListener
{
    void Assigned(IReadOnlyList<PartitionChannel> channels);
    void Failed(Exception error);
    void Closed();
}

/// <summary>
/// Owns one Confluent consumer and the only thread that touches it. Everything else (stages,
/// committers, control) talks to it through a command queue; records go out in per-partition
/// chunks through <see cref="PartitionChannel"/>s, whose buffered counts drive Pause/Resume.
/// </summary>
internal sealed partial class ConsumerLoop
{
    private abstract record Command;
    private sealed record CommitCommand(IReadOnlyList<(PartitionChannel Channel, long Next)> Offsets, TaskCompletionSource<CommitResult> Done) : Command;
    private sealed record AbandonCommand(PartitionChannel Channel) : Command;
    private sealed record StopCommand : Command;
    private sealed record ShutdownCommand : Command;
    private sealed record RefusedCommit(CommitCommand Command, List<TopicPartitionOffset> Skipped)
    {
        public long RetryAt;
    }

    private static readonly HashSet<ErrorCode> RebalanceErrors =
        [ErrorCode.RebalanceInProgress, ErrorCode.IllegalGeneration, ErrorCode.UnknownMemberId, ErrorCode.Local_State];

    private static readonly HashSet<ErrorCode> RetriableCommitErrors =
    [
        ErrorCode.RequestTimedOut, ErrorCode.NetworkException, ErrorCode.GroupCoordinatorNotAvailable,
        ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupLoadInProgress, ErrorCode.Local_Transport,
        ErrorCode.Local_TimedOut,
    ];
    private const int CommitAttempts = 5;
    private static readonly TimeSpan BusyPollTimeout = TimeSpan.FromMilliseconds(1);

    private readonly ConsumerSettings _settings;
    private readonly IReadOnlyList<string> _topics;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Dictionary<TopicPartition, PartitionChannel> _assigned = new();
    private readonly List<PartitionChannel> _paused = new();
    private readonly List<PartitionChannel> _withPending = new();
    // Commits the group refused while rebalancing, oldest first, each tried again at its RetryAt (poll thread only).
    private readonly List<RefusedCommit> _refused = new();
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private IConsumerLoopListener? _listener;
    private IConsumer<byte[]?, byte[]>? _consumer;
    private volatile IReadOnlyCollection<TopicPartition> _assignment = [];
    private bool _stopped;
    private bool _shutdownRequested;
    private Exception? _fatal;
    private int _started;
    private long _stalledSince;

    // Diagnostics (written by the poll thread, read anywhere).
    private long _recordsConsumed, _pauses, _resumes, _commitRequests, _committedOffsets, _skippedOffsets, _rewinds, _chunks;
    private int _maxBufferedObserved;
    private volatile IReadOnlyList<PartitionLag> _lag = [];
    private long _lagRefreshedAt;

    public ConsumerLoop(ConsumerSettings settings, IReadOnlyList<string> topics, ILogger logger)
    {
        _settings = settings;
        _topics = topics;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = $"kafka-poll-{settings.GroupId}" };
    }

    public Task Completion => _shutdown.Task;
    public IReadOnlyCollection<TopicPartition> Assignment => _assignment;
    public string GroupId => _settings.GroupId;

    /// <summary>Per assigned partition, as of the last refresh (about every <see cref="ConsumerSettings.LagRefreshInterval"/>).</summary>
    public IReadOnlyList<PartitionLag> Lag => _lag;

    public ConsumerMetrics Metrics => new(
        Interlocked.Read(ref _recordsConsumed), Volatile.Read(ref _maxBufferedObserved),
        Interlocked.Read(ref _pauses), Interlocked.Read(ref _resumes), Interlocked.Read(ref _commitRequests),
        Interlocked.Read(ref _committedOffsets), Interlocked.Read(ref _skippedOffsets), Interlocked.Read(ref _rewinds), Interlocked.Read(ref _chunks));

    public void Start(IConsumerLoopListener listener)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("A Kafka consumer source can be materialized only once");
        _listener = listener;
        _thread.Start();
    }

    public Task<CommitResult> Commit(IReadOnlyList<(PartitionChannel Channel, long Next)> offsets)
    {
        var done = new TaskCompletionSource<CommitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_shutdown.Task.IsCompleted)
            done.SetException(new InvalidOperationException("Kafka consumer is shut down; offsets cannot be committed"));
        else
            _commands.Enqueue(new CommitCommand(offsets, done));
        return done.Task;
    }

    public void Abandon(PartitionChannel channel) => _commands.Enqueue(new AbandonCommand(channel));
    public void Stop() => _commands.Enqueue(new StopCommand());
    public void Shutdown() => _commands.Enqueue(new ShutdownCommand());

    /// <summary>
    /// The source completed or was cancelled without an explicit stop: stop fetching at once, but keep the consumer
    /// (and its group membership) for <see cref="ConsumerSettings.StopTimeout"/> so offsets of records already
    /// emitted can still be committed downstream (as Alpakka Kafka's stop-timeout). An explicit Shutdown wins.
    /// </summary>
    public void StopThenShutdown()
    {
        Stop();
        if (_settings.StopTimeout <= TimeSpan.Zero) Shutdown();
        else _ = Task.Delay(_settings.StopTimeout).ContinueWith(_ => Shutdown(), TaskScheduler.Default);
    }

    private void Run()
    {
        try
        {
            _consumer = new ConsumerBuilder<byte[]?, byte[]>(_settings.ToConsumerConfig())
                .SetErrorHandler((_, error) => OnError(error))
                .SetLogHandler((_, m) => _logger.Log(ToLevel(m.Level), "librdkafka {Facility}: {Message}", m.Facility, m.Message))
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions, flushCommits: true))
                .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions, flushCommits: false))
                .Build();
            _consumer.Subscribe(_topics);
            KafkaMetrics.Track(this);

            while (!_shutdownRequested && _fatal is null)
            {
                ProcessCommands();
                if (_shutdownRequested || _fatal is not null) break;
                RetryRefusedCommits(force: false);
                ResumeDrained();
                RefreshLagWhenDue();
                if (WaitWhileDownstreamIsFull()) continue;
                PollBatch();
            }

            if (_fatal is not null) throw _fatal;
            ProcessCommands(); // commits queued before Shutdown still land
            _consumer.Close(); // leaves the group; runs the revoked handler
            Complete(null);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Kafka consumer {Group} failed", _settings.GroupId);
            Complete(e);
        }
    }

    private void Complete(Exception? error)
    {
        KafkaMetrics.Untrack(this);
        _lag = [];
        foreach (var channel in _assigned.Values) channel.Close(error);
        _assigned.Clear();
        _assignment = [];
        try { _consumer?.Dispose(); } catch (Exception e) { _logger.LogDebug(e, "Disposing consumer"); }
        // Still refused when the consumer goes: not committed, so the next owner resumes from the last commit.
        foreach (var refused in _refused)
        {
            var offsets = refused.Command.Offsets.Select(o => new TopicPartitionOffset(o.Channel.TopicPartition, o.Next)).ToList();
            Interlocked.Add(ref _skippedOffsets, offsets.Count - refused.Skipped.Count);
            refused.Command.Done.TrySetResult(new CommitResult([], offsets));
        }
        _refused.Clear();
        while (_commands.TryDequeue(out var cmd))
            if (cmd is CommitCommand c)
                c.Done.TrySetException(new InvalidOperationException("Kafka consumer is shut down; offsets cannot be committed", error));
        if (error is null) _listener?.Closed(); else _listener?.Failed(error);
        _shutdown.TrySetResult();
        // Commits enqueued between the drain above and completing the task.
        while (_commands.TryDequeue(out var cmd))
            if (cmd is CommitCommand c)
                c.Done.TrySetException(new InvalidOperationException("Kafka consumer is shut down; offsets cannot be committed", error));
    }

    private void PollBatch()
    {
        var consumer = _consumer!;
        var maxTotal = Math.Max(_settings.MaxChunkSize, 1) * 4;
        var max = _settings.MaxBufferPerPartition;
        var maxBytes = _settings.MaxBufferBytesPerPartition;
        var total = 0;
        PartitionChannel? last = null;
        // While partitions are paused for back-pressure, downstream is busy and waiting on us for resumes
        // and commits (commands are only seen between Consume calls), so wait in short slices.
        var timeout = _paused.Count > 0 || !_commands.IsEmpty ? BusyPollTimeout : _settings.PollTimeout;
        while (total < maxTotal)
        {
            ConsumeResult<byte[]?, byte[]>? record;
            try
            {
                record = consumer.Consume(timeout);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                _logger.LogWarning("Kafka consume error (continuing): {Error}", e.Error);
                break;
            }
            if (record is null || _fatal is not null) break;
            timeout = TimeSpan.Zero;
            if (record.IsPartitionEOF) continue;

            var channel = last is not null && last.TopicPartition == record.TopicPartition
                ? last
                : _assigned.GetValueOrDefault(record.TopicPartition);
            if (channel is null || channel.Abandoned || _stopped) continue; // not ours to emit; uncommitted, so redelivered
            last = channel;

            if (channel.PausedForBackPressure)
            {
                // Pause fences already-fetched records, so this is not expected; if one slips through,
                // rewind to it rather than buffer past the bound or lose it.
                consumer.Seek(record.TopicPartitionOffset);
                Interlocked.Increment(ref _rewinds);
                continue;
            }

            // Once per assignment, before its first record goes out: where the group had committed, so the stream
            // can tell records that were never delivered (pruned, or transaction markers) from a fresh start.
            if (channel.StartOffset is null) LearnStartOffsets([channel]);
            var batch = channel.PendingBatch;
            if (batch is null)
            {
                batch = channel.PendingBatch = new List<ConsumeResult<byte[]?, byte[]>>(Math.Min(_settings.MaxChunkSize, 256));
                _withPending.Add(channel);
            }
            batch.Add(record);
            channel.PendingBytes += PartitionChannel.SizeOf(record);
            total++;
            Interlocked.Increment(ref _recordsConsumed);

            if (channel.Buffered + batch.Count >= max || channel.BufferedBytes + channel.PendingBytes >= maxBytes)
            {
                HandOver(channel);
                break; // full: stop consuming until the stage drains it (WaitWhileDownstreamIsFull)
            }
            else if (batch.Count >= _settings.MaxChunkSize)
            {
                HandOver(channel);
            }
        }
        foreach (var channel in _withPending)
            HandOver(channel, fromList: false);
        _withPending.Clear();
    }

    private void HandOver(PartitionChannel channel, bool fromList = true)
    {
        var batch = channel.PendingBatch;
        if (batch is null) return;
        var bytes = channel.PendingBytes;
        channel.PendingBatch = null;
        channel.PendingBytes = 0;
        if (fromList) _withPending.Remove(channel);
        if (batch.Count == 0) return;
        Interlocked.Increment(ref _chunks);
        var buffered = channel.Offer(batch, bytes);
        if (buffered > _maxBufferedObserved) Volatile.Write(ref _maxBufferedObserved, buffered);
    }

    /// <summary>
    /// Back-pressure without Pause/Resume on the hot path: librdkafka stalls a resumed partition for
    /// about a second (measured here), so while a partition's buffer is full the poll thread simply
    /// stops consuming; librdkafka's own prefetch is bounded by queued.max.messages.kbytes. Only a
    /// stall long enough to threaten max.poll.interval.ms pauses the full partitions (and polls on).
    /// </summary>
    /// <returns>True when the caller should not consume now.</returns>
    private bool WaitWhileDownstreamIsFull()
    {
        if (_stopped) return false;
        var full = false;
        foreach (var channel in _assigned.Values)
        {
            if (channel.PausedForBackPressure || channel.Abandoned || channel.IsClosed) continue;
            // Hysteresis: once full, a partition counts as full until it drains to half.
            if (channel.AtBound(_settings.MaxBufferPerPartition, _settings.MaxBufferBytesPerPartition)
                || (channel.Full && !channel.BelowHalf(_settings.MaxBufferPerPartition, _settings.MaxBufferBytesPerPartition)))
            {
                channel.Full = true;
                full = true;
            }
            else
            {
                channel.Full = false;
            }
        }
        if (!full)
        {
            _stalledSince = 0;
            return false;
        }
        if (_stalledSince == 0) _stalledSince = Environment.TickCount64;
        if (Environment.TickCount64 - _stalledSince < _settings.MaxPollInterval.TotalMilliseconds / 3)
        {
            Thread.Sleep(1);
            return true;
        }
        foreach (var channel in _assigned.Values)
        {
            if (!channel.Full || channel.PausedForBackPressure) continue;
            _consumer!.Pause([channel.TopicPartition]);
            channel.PausedForBackPressure = true;
            channel.Full = false;
            _paused.Add(channel);
            Interlocked.Increment(ref _pauses);
        }
        _stalledSince = 0;
        return false;
    }

    private void ResumeDrained()
    {
        if (_paused.Count == 0 || _stopped) return;
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var channel = _paused[i];
            if (!channel.BelowHalf(_settings.MaxBufferPerPartition, _settings.MaxBufferBytesPerPartition)) continue;
            _paused.RemoveAt(i);
            channel.PausedForBackPressure = false;
            if (channel.Abandoned || channel.IsClosed) continue;
            _consumer!.Resume([channel.TopicPartition]);
            Interlocked.Increment(ref _resumes);
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _fatal = new KafkaException(error);
            return;
        }
        _logger.LogWarning("Kafka consumer {Group}: {Error} (transient, continuing)", _settings.GroupId, error);
    }

    private static LogLevel ToLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}

/// <summary>Diagnostic counters of one consumer (for metrics and tests).</summary>
/// <param name="RecordsConsumed">Records taken from librdkafka for emission.</param>
/// <param name="MaxBufferedPerPartitionObserved">Highest per-partition count of records handed over but not yet emitted.</param>
/// <param name="Pauses">Partitions paused because their buffer hit MaxBufferPerPartition.</param>
/// <param name="Resumes">Back-pressure pauses lifted after downstream drained below half.</param>
/// <param name="CommitRequests">Commit calls sent to Kafka (including retries).</param>
/// <param name="CommittedOffsets">Partition offsets committed successfully.</param>
/// <param name="SkippedCommitOffsets">Partition offsets not committed because the partition was no longer assigned.</param>
/// <param name="Rewinds">Records that arrived for a paused partition and were re-fetched later instead of buffered.</param>
/// <param name="Chunks">Hand-overs from the poll thread to the stage (RecordsConsumed / Chunks = mean chunk size).</param>
public sealed record ConsumerMetrics(
    long RecordsConsumed, int MaxBufferedPerPartitionObserved, long Pauses, long Resumes,
    long CommitRequests, long CommittedOffsets, long SkippedCommitOffsets, long Rewinds, long Chunks);
