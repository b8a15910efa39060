namespace DmpActors.Benchmarks.Infra;

public readonly record struct GcStats(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated)
{
    public static GcStats Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
        GC.GetTotalAllocatedBytes(precise: false));

    public GcStats Since(GcStats start) => new(Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, Pause - start.Pause, Allocated - start.Allocated);

    public override string ToString() =>
        $"gen0 {Gen0} / gen1 {Gen1} / gen2 {Gen2}, pause {Pause.TotalMilliseconds:0} ms, allocated {Allocated / (1024.0 * 1024 * 1024):0.00} GiB";
}

/// <summary>Samples the working set in the background; the peak over a phase (not the process lifetime).</summary>
public sealed class PeakWorkingSet : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public PeakWorkingSet()
    {
        _peak = Machine.WorkingSet();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var ws = Machine.WorkingSet();
                if (ws > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, ws);
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public long Peak => Interlocked.Read(ref _peak);

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }
}
