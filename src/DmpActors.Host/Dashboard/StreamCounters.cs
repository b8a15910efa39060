using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;
using DmpActors.Kafka.Observability;

namespace DmpActors.Host.Dashboard;

/// <summary>
/// Listens to the same instruments /metrics exports (dmp.events.*, dmp.checkpoint*, dmp.kafka.consumer.lag) and keeps
/// their totals, so the dashboard shows exactly what a Prometheus scrape would. Counts everything in this process.
/// </summary>
public sealed class StreamCounters : IDisposable
{
    private const string ConsumerLag = "dmp.kafka.consumer.lag";
    private static readonly HashSet<string> Instruments =
        [DmpMetrics.EventsConsumed.Name, DmpMetrics.EventsApplied.Name, DmpMetrics.EventsRejected.Name, DmpMetrics.Checkpoints.Name, DmpMetrics.CheckpointDuration.Name, ConsumerLag];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _rejected = new();
    private readonly ConcurrentDictionary<int, long> _lag = new();
    private readonly Lock _reading = new();
    private readonly string _eventsTopic;
    private long _consumed;
    private long _applied;
    private long _checkpoints;
    private long _lastCheckpointMsBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public StreamCounters(string eventsTopic)
    {
        _eventsTopic = eventsTopic;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is DmpMetrics.MeterName or KafkaMetrics.MeterName && Instruments.Contains(instrument.Name))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    /// <summary>The totals now.</summary>
    public StreamTotals Read()
    {
        var last = BitConverter.Int64BitsToDouble(Interlocked.Read(ref _lastCheckpointMsBits));
        return new StreamTotals(Interlocked.Read(ref _consumed), Interlocked.Read(ref _applied), new Dictionary<string, long>(_rejected),
            Interlocked.Read(ref _checkpoints), double.IsNaN(last) ? null : last);
    }

    /// <summary>Records each assigned partition is behind its end, as the consumer last measured (about once a second).</summary>
    public IReadOnlyDictionary<int, long> ReadLag()
    {
        lock (_reading)
        {
            _lag.Clear();
            _listener.RecordObservableInstruments();
            return new SortedDictionary<int, long>(_lag);
        }
    }

    // Called on the ingest's threads for every event: the common cases first, by reference, without allocating.
    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ReferenceEquals(instrument, DmpMetrics.EventsConsumed)) Interlocked.Add(ref _consumed, value);
        else if (ReferenceEquals(instrument, DmpMetrics.EventsApplied)) Interlocked.Add(ref _applied, value);
        else if (ReferenceEquals(instrument, DmpMetrics.Checkpoints)) Interlocked.Add(ref _checkpoints, value);
        else if (ReferenceEquals(instrument, DmpMetrics.EventsRejected))
            _rejected.AddOrUpdate(Tag(tags, "reason") as string ?? "unknown", value, (_, n) => n + value);
        else if (instrument.Name == ConsumerLag && Equals(Tag(tags, "topic"), _eventsTopic) && Tag(tags, "partition") is int partition)
            _lag[partition] = value;
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ReferenceEquals(instrument, DmpMetrics.CheckpointDuration)) Interlocked.Exchange(ref _lastCheckpointMsBits, BitConverter.DoubleToInt64Bits(value));
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
            if (tag.Key == name) return tag.Value;
        return null;
    }

    public void Dispose() => _listener.Dispose();
}
