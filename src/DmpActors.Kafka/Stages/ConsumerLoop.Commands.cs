using System.Collections.Concurrent;
using Confluent.Kafka;
using System.Diagnostics;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Observability;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Stages;

/// <summary>The commands the stages queue for the poll thread: commits (and the retries of refused ones), abandon, stop.</summary>
internal sealed partial class ConsumerLoop
{
    private void ProcessCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            switch (command)
            {
                case CommitCommand commit:
                    ExecuteCommit(commit);
                    break;
                case AbandonCommand abandon when ReferenceEquals(_assigned.GetValueOrDefault(abandon.Channel.TopicPartition), abandon.Channel):
                    abandon.Channel.Abandoned = true;
                    _consumer!.Pause([abandon.Channel.TopicPartition]);
                    break;
                case StopCommand:
                    _stopped = true;
                    if (_assigned.Count > 0) _consumer!.Pause(_assigned.Keys);
                    foreach (var channel in _assigned.Values) channel.Close();
                    break;
                case ShutdownCommand:
                    _shutdownRequested = true;
                    break;
            }
        }
    }

    private void ExecuteCommit(CommitCommand command) => ExecuteCommit(command, []);

    /// <param name="skipped">Offsets of the command already known not to be ours (from an earlier, refused attempt).</param>
    private void ExecuteCommit(CommitCommand command, List<TopicPartitionOffset> skipped)
    {
        var toSend = new List<TopicPartitionOffset>(command.Offsets.Count);
        var covered = new List<TopicPartitionOffset>();
        var notOurs = 0;
        foreach (var (channel, next) in command.Offsets)
        {
            var tpo = new TopicPartitionOffset(channel.TopicPartition, next);
            // Only the assignment that read the record may commit it: after a revoke another member
            // owns the partition and may already have committed further.
            if (!ReferenceEquals(_assigned.GetValueOrDefault(channel.TopicPartition), channel)) { skipped.Add(tpo); notOurs++; }
            // A later commit of this assignment already landed (this one waited for a retry): sending it would move the group back.
            else if (channel.CommittedNext >= next) covered.Add(tpo);
            else toSend.Add(tpo);
        }
        if (notOurs > 0)
        {
            _logger.LogDebug("Skipping commit of {Offsets}: partitions no longer assigned", string.Join(", ", skipped.TakeLast(notOurs)));
            Interlocked.Add(ref _skippedOffsets, notOurs);
        }
        if (toSend.Count == 0)
        {
            command.Done.TrySetResult(new CommitResult(covered, skipped));
            return;
        }
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Interlocked.Increment(ref _commitRequests);
                _consumer!.Commit(toSend);
                KafkaMetrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref _committedOffsets, toSend.Count);
                foreach (var tpo in toSend) _assigned[tpo.TopicPartition].CommittedNext = tpo.Offset.Value;
                command.Done.TrySetResult(new CommitResult([.. covered, .. toSend], skipped));
                return;
            }
            catch (KafkaException e) when (RebalanceErrors.Contains(e.Error.Code))
            {
                // The group is reassigning partitions. Failing would restart the stream on every node at every rebalance,
                // and dropping the commit would leave the group behind durable state until new records bring another one
                // (an idle partition never would): try again soon; a partition that is no longer ours is skipped then.
                _logger.LogInformation("Commit of {Offsets} refused: {Error} (consumer group rebalance); retrying in {Interval} ms",
                    string.Join(", ", toSend), e.Error.Reason, _settings.CommitRetryInterval.TotalMilliseconds);
                _refused.Add(new RefusedCommit(command, skipped) { RetryAt = Environment.TickCount64 + (long)_settings.CommitRetryInterval.TotalMilliseconds });
                return;
            }
            catch (KafkaException e) when (attempt < CommitAttempts && IsRetriable(e))
            {
                _logger.LogWarning("Commit of {Offsets} failed with {Error}, retrying ({Attempt}/{Max})", string.Join(", ", toSend), e.Error, attempt, CommitAttempts);
                Thread.Sleep(TimeSpan.FromMilliseconds(50 * attempt)); // back-off on the poll thread: commits are rare (batched)
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Commit of {Offsets} failed", string.Join(", ", toSend));
                command.Done.TrySetException(e);
                return;
            }
        }
    }

    /// <summary>Sends again the refused commits that are due (all of them when forced), oldest first, so offsets only move forward.</summary>
    private void RetryRefusedCommits(bool force)
    {
        if (_refused.Count == 0) return;
        var now = Environment.TickCount64;
        var due = force ? _refused.ToList() : _refused.Where(r => r.RetryAt <= now).ToList();
        foreach (var refused in due)
        {
            _refused.Remove(refused);
            ExecuteCommit(refused.Command, refused.Skipped);
        }
    }

    private static bool IsRetriable(KafkaException e) =>
        RetriableCommitErrors.Contains(e.Error.Code) ||
        (e is TopicPartitionOffsetException tpo && tpo.Results.All(r => r.Error.Code == ErrorCode.NoError || RetriableCommitErrors.Contains(r.Error.Code)));

    private void FlushCommits()
    {
        var other = new List<Command>();
        while (_commands.TryDequeue(out var command))
        {
            if (command is CommitCommand commit) ExecuteCommit(commit);
            else other.Add(command);
        }
        // Re-queue the rest in order; new commands may interleave, which is harmless for these kinds.
        foreach (var command in other) _commands.Enqueue(command);
    }
}
