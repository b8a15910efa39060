using DmpActors.Engine.Hosting;
using DmpActors.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace DmpActors.Benchmarks.Workloads.Peers;

/// <summary>DmpActors itself, started as the <c>ingest</c> workload starts it (<see cref="IngestEngine"/>), consuming the shared topic.</summary>
public sealed class EngineRunner(double traceRatio) : PeerRunner
{
    private DmpEngine? _engine;
    private EngineApplySpans? _spans;
    private ILoggerFactory? _logs;

    public override string Name => "dmpactors";

    public override string How =>
        $"the engine as `ingest` runs it (`IngestEngine.Options`, SQLite, defaults: checkpoint every 1 s, MaxInFlight 8,192): committable partitioned source → parse → sharded user entities → checkpoint → commit; apply times from its `dmp.ingest.consume` spans, {traceRatio:P0} of records sampled";

    public override IProfileStore Store => _engine!.Store;

    public override long Checkpoints => _engine?.Ingest?.Status.Checkpoints ?? 0;

    public override string? Notes => _engine?.Ingest?.Status is { Restarts: > 0 } status
        ? $"ingest restarted {status.Restarts} time(s) from its committed offsets; last error: {status.LastError}"
        : null;

    public override async Task StartAsync(PeerContext context)
    {
        var options = IngestEngine.Options(context.BootstrapServers, context.Partitions, Path.Combine(context.DataDirectory, Name));
        if (options.Kafka.EventsTopic != context.Topic) throw new InvalidOperationException($"the engine reads '{options.Kafka.EventsTopic}', the dataset is on '{context.Topic}'");
        _spans = new EngineApplySpans(context.Latency, traceRatio);
        _logs = Infra.ConsoleWarnings.Factory();
        _engine = await DmpEngine.StartAsync(options, context.BootstrapServers, freshLog: true, _logs);
    }

    public override Task RunAsync(PeerContext context) => IngestEngine.WaitUntilCommittedAsync(_engine!, context.EndOffsets, TimeSpan.FromMinutes(20));

    public override async ValueTask DisposeAsync()
    {
        _spans?.Dispose();
        if (_engine is not null) await _engine.DisposeAsync();
        _logs?.Dispose();
    }
}
