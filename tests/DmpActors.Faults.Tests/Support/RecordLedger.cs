using Confluent.Kafka;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Faults.Tests.Support;

/// <summary>A record the broker acknowledged, and where.</summary>
public sealed record ProducedRecord(string Key, byte[]? Value, int Partition, long Offset)
{
    /// <summary>The value of the <c>dmp-source</c> header the engine puts on this record's dead letter.</summary>
    public string Source => $"dmp.events/{Partition}/{Offset}";
}

/// <summary>
/// Every record a test produces through the harness, with the broker's answer: only acknowledged records
/// count as produced (a record whose delivery failed was never the engine's to lose).
/// </summary>
public sealed class RecordLedger(EngineHarness harness)
{
    private readonly List<(string Key, byte[]? Value, Task<DeliveryResult<byte[]?, byte[]>> Delivery)> _sent = [];

    public int Sent => _sent.Count;

    public void Produce(string key, byte[]? value) => _sent.Add((key, value, harness.ProduceAsync(key, value)));

    /// <summary>Waits for every delivery report; returns the acknowledged records in the order they were sent.</summary>
    public async Task<IReadOnlyList<ProducedRecord>> AcknowledgedAsync()
    {
        foreach (var (_, _, delivery) in _sent)
        {
            try { await delivery; }
            catch (ProduceException<byte[]?, byte[]>) { }
        }
        return _sent.Where(s => s.Delivery.IsCompletedSuccessfully)
            .Select(s => new ProducedRecord(s.Key, s.Value, s.Delivery.Result.Partition.Value, s.Delivery.Result.Offset.Value))
            .ToList();
    }

    /// <summary>Records the broker refused (only known after <see cref="AcknowledgedAsync"/>).</summary>
    public int Unacknowledged => _sent.Count(s => s.Delivery.IsFaulted);
}
