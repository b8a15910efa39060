using DmpActors.Engine.Hosting;
using DmpActors.Kafka.Embedded;
using Microsoft.Extensions.Logging;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>An engine over a fresh SQLite directory and its own embedded broker; ingest off (no Kafka consumption, no checkpoints) unless asked for.</summary>
public sealed class InProcessEngine : IAsyncDisposable
{
    private readonly EmbeddedKafkaBroker _broker;
    private readonly string _dir;
    private readonly ILoggerFactory _logs;

    private InProcessEngine(EmbeddedKafkaBroker broker, string dir, ILoggerFactory logs, DmpEngine engine)
    {
        _broker = broker;
        _dir = dir;
        _logs = logs;
        Engine = engine;
    }

    public DmpEngine Engine { get; }

    public string BootstrapServers => _broker.BootstrapServers;

    /// <param name="ingest">Consume the events topic (created with the engine's partition count) into the user entities.</param>
    public static async Task<InProcessEngine> StartAsync(bool ingest = false)
    {
        // The engine always builds a producer; an idle embedded broker gives it somewhere to connect.
        var broker = EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0" });
        var dir = Path.Combine(Path.GetTempPath(), "dmp-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var options = new DmpOptions();
        options.Node.Port = 0;
        options.Kafka.BootstrapServers = broker.BootstrapServers;
        options.Storage.DataDirectory = dir;
        options.Ingest.Enabled = ingest;
        if (ingest)
        {
            broker.CreateTopic(options.Kafka.EventsTopic, options.Kafka.Partitions);
            broker.CreateTopic(options.Kafka.DeadLetterTopic, options.Kafka.Partitions);
        }
        options.Ingest.PassivateAfter = TimeSpan.FromHours(1); // keep every entity alive for the whole run
        var logs = Infra.ConsoleWarnings.Factory();
        var engine = await DmpEngine.StartAsync(options, broker.BootstrapServers, freshLog: true, logs);
        return new InProcessEngine(broker, dir, logs, engine);
    }

    public async ValueTask DisposeAsync()
    {
        // Leaving the cluster makes every dirty entity save first: with a million entities that is a long write, so
        // terminate the actor system instead; the benchmark data is thrown away anyway.
        await Engine.System.Terminate();
        Engine.Producer.Dispose();
        await Engine.Store.DisposeAsync();
        await _broker.DisposeAsync();
        _logs.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
