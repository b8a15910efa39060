using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;
using DmpActors.Kafka.Dsl;
using Xunit.Abstractions;

namespace DmpActors.Engine.Tests.Ingest;

/// <summary>Heap measurements: nothing else may allocate meanwhile.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>
/// The ingest's memory is bounded in bytes, not only in records: a flood of 1 MB records behind an entity that does
/// not answer (so nothing can be emitted in order) fills only Ingest:MaxInFlightBytes and the per-partition buffers.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class MemoryBoundTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const int Partitions = 16;
    private const int FloodRecords = 60; // 1 MB each: under the broker's 5 MiB per partition, so none is pruned

    private sealed record Reading(long Consumed, long HeapGrowth);

    private async Task<Reading> Flood(long maxInFlightBytes, long maxBufferedBytesPerPartition)
    {
        await using var harness = new EngineHarness(Partitions);
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = new EngineHooks(Users: settings => settings with
        {
            Reduce = (profile, e, position, rules, segments) =>
            {
                if (e.EventId == "blocker")
                {
                    entered.TrySetResult();
                    release.Wait(Patience);
                }
                return ProfileReducer.Apply(profile, e, position, rules);
            },
        });
        var options = harness.Options(o =>
        {
            o.Ingest.MaxInFlightBytes = maxInFlightBytes;
            o.Ingest.MaxBufferedBytesPerPartition = maxBufferedBytesPerPartition;
            o.Ingest.AckTimeout = TimeSpan.FromSeconds(50);
        });
        await using var engine = await harness.StartEngineAsync(options, hooks: hooks);
        long consumed = 0;
        using var listener = Metrics.Listen("dmp.events.consumed", n => Interlocked.Add(ref consumed, n));

        // Given an entity that does not answer holds the head of the stream
        harness.Produce("slow", TestEvents.PageView("blocker", "slow"));
        harness.Flush();
        await entered.Task.WaitAsync(Patience);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        // When a flood of 1 MB records arrives (each too big to be an event: dead letters, behind the blocked one)
        var big = new byte[900_000]; // just under the producer's message.max.bytes (1,000,000)
        Array.Fill(big, (byte)'x');
        for (var i = 0; i < FloodRecords; i++) harness.Produce(FloodKey(i), big);
        harness.Flush();
        long seen = -1;
        var settledAt = DateTime.UtcNow;
        while (DateTime.UtcNow - settledAt < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(100);
            var now = Interlocked.Read(ref consumed);
            if (now != seen) (seen, settledAt) = (now, DateTime.UtcNow);
        }
        var growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;

        // Then (whatever the bound) nothing is lost once the entity answers
        release.Set();
        await harness.WaitUntilCommittedToEndAsync(engine, Partitions, Patience);
        Assert.Equal(FloodRecords, harness.ReadDeadLetters(FloodRecords, Patience).Count);
        output.WriteLine($"in flight ≤ {maxInFlightBytes} B, buffered ≤ {maxBufferedBytesPerPartition} B per partition: " +
                         $"{Interlocked.Read(ref seen)} records taken in, heap +{growth / (1024 * 1024)} MiB");
        return new Reading(seen, growth);
    }

    /// <summary>A key of partition i mod 16 (Kafka's partitioner): four records per partition, none pruned.</summary>
    private static string FloodKey(int i) =>
        Enumerable.Range(0, 1000).Select(n => $"flood-{i}-{n}").First(k => KafkaPartitioner.PartitionOf(k, Partitions) == i % Partitions);

    [Fact]
    public async Task A_flood_of_1_MB_records_behind_a_stuck_entity_takes_in_only_what_the_byte_bounds_allow()
    {
        var unbounded = await Flood(long.MaxValue, long.MaxValue);
        var bounded = await Flood(maxInFlightBytes: 4 * 1024 * 1024, maxBufferedBytesPerPartition: 64 * 1024);

        // The records-only bounds (8,192 in flight, 10,000 per partition) let the whole flood in.
        Assert.Equal(1 + FloodRecords, unbounded.Consumed);
        // 4 MiB in flight: the blocked event and at most four or five 1 MB records; each partition buffers one more.
        Assert.InRange(bounded.Consumed, 1, 6);
        Assert.True(bounded.HeapGrowth < unbounded.HeapGrowth / 2,
            $"heap grew {bounded.HeapGrowth / (1024 * 1024)} MiB with the byte bounds vs {unbounded.HeapGrowth / (1024 * 1024)} MiB without");
    }
}
