using Akka.Streams;
using DmpActors.Kafka.Embedded;
using Xunit.Abstractions;
using static DmpActors.Kafka.Tests.KafkaTestSupport;

namespace DmpActors.Kafka.Tests;

/// <summary>A TestKit spec with its own embedded broker (free port) and a materializer.</summary>
public abstract class BrokerSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    protected readonly EmbeddedKafkaBroker _broker = StartBroker();
    protected readonly IMaterializer _materializer;
    protected readonly ITestOutputHelper _output;

    protected BrokerSpec(ITestOutputHelper output) : base("akka.loglevel = WARNING", output: output)
    {
        _output = output;
        _materializer = Sys.Materializer();
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _broker.DisposeAsync();
}
