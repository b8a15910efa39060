using Confluent.Kafka;
using DmpActors.Kafka.Dsl;

namespace DmpActors.Kafka.Stages;

internal sealed class ConsumerControl : IConsumerControl
{
    private readonly ConsumerLoop _loop;
    private readonly TaskCompletionSource _stageStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action? _completeStage;
    private volatile bool _stopRequested;

    public ConsumerControl(ConsumerLoop loop) => _loop = loop;

    public bool StopRequested => _stopRequested;
    public IReadOnlyCollection<TopicPartition> Assignment => _loop.Assignment;
    public Task IsShutdown => _loop.Completion;
    public ConsumerMetrics Metrics => _loop.Metrics;
    public IReadOnlyList<Observability.PartitionLag> Lag => _loop.Lag;

    internal void Attach(Action completeStage) => _completeStage = completeStage;
    internal void StageStopped() => _stageStopped.TrySetResult();

    public Task Stop()
    {
        _stopRequested = true;
        _loop.Stop();
        _completeStage?.Invoke();
        return _stageStopped.Task;
    }

    public async Task Shutdown()
    {
        await Stop().ConfigureAwait(false);
        _loop.Shutdown();
        await _loop.Completion.ConfigureAwait(false);
    }

    public async Task DrainAndShutdown(Task streamCompletion)
    {
        await Stop().ConfigureAwait(false);
        try
        {
            await streamCompletion.ConfigureAwait(false);
        }
        finally
        {
            _loop.Shutdown();
            await _loop.Completion.ConfigureAwait(false);
        }
    }
}
