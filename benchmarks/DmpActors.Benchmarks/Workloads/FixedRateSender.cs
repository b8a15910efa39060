using System.Diagnostics;
using Confluent.Kafka;
using DmpActors.Traffic.Measurement;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Runs a <see cref="FixedSchedule"/> on the calling thread: every event is handed to <c>send</c> once it is due
/// (a sender that fell behind sends the backlog at once; nothing is skipped or re-timed). Callers stamp or
/// measure from <see cref="FixedSchedule.IntendedOffset"/>, never from the moment <c>send</c> ran.
/// </summary>
public static class FixedRateSender
{
    /// <param name="clock">Started by the caller at the schedule's start; observers measure against the same clock.</param>
    /// <returns>How long sending took (≥ the schedule's length; longer when the sender could not keep up).</returns>
    public static TimeSpan Run(FixedSchedule schedule, Stopwatch clock, Action<long> send)
    {
        long sent = 0;
        while (sent < schedule.Total)
        {
            var due = schedule.DueBy(clock.Elapsed);
            if (due <= sent)
            {
                Thread.Sleep(1);
                continue;
            }
            for (; sent < due; sent++) send(sent);
        }
        return clock.Elapsed;
    }

    /// <summary>The producer the fixed-rate workloads send with: acks=1, no idempotence, a queue deep enough never to block a sender that fell behind.</summary>
    public static IProducer<byte[]?, byte[]> Producer(string bootstrap, int lingerMs) =>
        new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.Leader,
            EnableIdempotence = false,
            LingerMs = lingerMs,
            QueueBufferingMaxMessages = 2_000_000,
            QueueBufferingMaxKbytes = 2_000_000,
        }).Build();
}
