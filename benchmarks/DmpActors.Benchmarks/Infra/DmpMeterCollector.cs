using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DmpActors.Benchmarks.Infra;

/// <summary>Listens to the "DmpActors" meter: counter totals and histogram count/sum/max.</summary>
public sealed class DmpMeterCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long[]> _counters = new();
    private readonly ConcurrentDictionary<string, Histogram> _histograms = new();

    public sealed class Histogram
    {
        private readonly object _gate = new();
        public long Count;
        public double Sum;
        public double Max;
        public readonly List<double> Values = new();

        public void Record(double v)
        {
            lock (_gate)
            {
                Count++;
                Sum += v;
                if (v > Max) Max = v;
                if (Values.Count < 100_000) Values.Add(v);
            }
        }

        public double Percentile(double p)
        {
            lock (_gate)
            {
                if (Values.Count == 0) return 0;
                var sorted = Values.Order().ToArray();
                return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
            }
        }
    }

    public DmpMeterCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Engine.Observability.DmpMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            Interlocked.Add(ref _counters.GetOrAdd(instrument.Name, _ => new long[1])[0], value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            _histograms.GetOrAdd(instrument.Name, _ => new Histogram()).Record(value));
        _listener.Start();
    }

    public long Counter(string name) => _counters.TryGetValue(name, out var c) ? Interlocked.Read(ref c[0]) : 0;

    public Histogram Hist(string name) => _histograms.GetOrAdd(name, _ => new Histogram());

    public void Dispose() => _listener.Dispose();
}
