using System.Collections.Concurrent;
using Confluent.Kafka;
using System.Diagnostics;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Observability;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Stages;

/// <summary>Partitions coming and going (assignment, revocation) and what the loop learns about them: start offsets and lag.</summary>
internal sealed partial class ConsumerLoop
{
    /// <summary>
    /// Watermarks and positions are librdkafka's local state (the high watermark arrives with every
    /// fetch response), so this costs no broker round trip, except once per assignment for a partition
    /// that has not delivered a record yet (a quiet one sits at its committed offset).
    /// </summary>
    private void RefreshLagWhenDue()
    {
        var now = Environment.TickCount64;
        if (now - _lagRefreshedAt < _settings.LagRefreshInterval.TotalMilliseconds || _assigned.Count == 0) return;
        _lagRefreshedAt = now;
        try
        {
            var consumer = _consumer!;
            var positions = _assigned.Values.Select(c => (Channel: c, Position: consumer.Position(c.TopicPartition))).ToList();
            LearnStartOffsets(positions.Where(p => p.Position == Offset.Unset && p.Channel.StartOffset is null).Select(p => p.Channel).ToList());
            var lag = new List<PartitionLag>(positions.Count);
            foreach (var (channel, position) in positions)
            {
                var tp = channel.TopicPartition;
                var watermarks = consumer.GetWatermarkOffsets(tp);
                if (watermarks.High == Offset.Unset) continue; // no fetch response yet
                var high = watermarks.High.Value;
                var at = position != Offset.Unset ? position.Value
                    : channel.StartOffset is >= 0 and var start ? start
                    : _settings.AutoOffsetReset == AutoOffsetReset.Latest || watermarks.Low == Offset.Unset ? high : watermarks.Low.Value;
                lag.Add(new PartitionLag(tp.Topic, tp.Partition.Value, high, at, Math.Max(0, high - at)));
            }
            _lag = lag;
        }
        catch (KafkaException e)
        {
            _logger.LogDebug("Consumer lag unavailable: {Error}", e.Error);
        }
    }

    /// <summary>The committed offset (-1: none) of partitions that have not delivered a record in this assignment.</summary>
    private void LearnStartOffsets(List<PartitionChannel> channels)
    {
        if (channels.Count == 0) return;
        try
        {
            foreach (var committed in _consumer!.Committed(channels.Select(c => c.TopicPartition), TimeSpan.FromSeconds(2)))
                if (_assigned.TryGetValue(committed.TopicPartition, out var channel))
                    channel.StartOffset = committed.Offset == Offset.Unset ? -1 : committed.Offset.Value;
        }
        catch (KafkaException e)
        {
            // Asked once per assignment only: from now on these count from the auto.offset.reset end.
            _logger.LogDebug("Committed offsets for lag unavailable: {Error}", e.Error);
            foreach (var channel in channels) channel.StartOffset = -1;
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        var channels = new List<PartitionChannel>(partitions.Count);
        foreach (var tp in partitions)
        {
            var channel = new PartitionChannel(tp, this);
            _assigned[tp] = channel;
            channels.Add(channel);
            if (_stopped) channel.Close();
        }
        _assignment = _assigned.Keys.ToArray();
        _logger.LogInformation("Kafka consumer {Group} assigned {Partitions}", _settings.GroupId, string.Join(", ", partitions));
        if (_settings.OnPartitionsAssigned is { } assigned)
        {
            try { assigned(partitions); }
            catch (Exception e) { _logger.LogWarning(e, "The partitions-assigned handler of {Group} failed", _settings.GroupId); }
        }
        if (!_stopped) _listener!.Assigned(channels);
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions, bool flushCommits)
    {
        // Commits requested before the revoke are still ours to make.
        if (flushCommits)
        {
            RetryRefusedCommits(force: true);
            FlushCommits();
        }
        foreach (var tpo in partitions)
        {
            if (!_assigned.Remove(tpo.TopicPartition, out var channel)) continue;
            channel.Close();
            if (channel.PendingBatch is not null) { channel.PendingBatch = null; _withPending.Remove(channel); }
            if (channel.PausedForBackPressure) { _paused.Remove(channel); channel.PausedForBackPressure = false; }
        }
        _assignment = _assigned.Keys.ToArray();
        _logger.LogInformation("Kafka consumer {Group} {Kind} {Partitions}", _settings.GroupId, flushCommits ? "revoked" : "lost",
            string.Join(", ", partitions.Select(p => p.TopicPartition)));
    }
}
