using System.Diagnostics.Metrics;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Tests.Support;

public static class Metrics
{
    /// <summary>Counts what the engine reports on one of its instruments (process-wide: every engine in the process).</summary>
    public static MeterListener Listen(string instrument, Action<long> onMeasurement)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (i.Meter.Name == DmpMetrics.MeterName && i.Name == instrument) l.EnableMeasurementEvents(i); },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => onMeasurement(value));
        listener.Start();
        return listener;
    }
}
