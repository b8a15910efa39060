using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Confluent.Kafka;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Stages;

/// <summary>Emits one sub-source per assigned partition; the materialized value controls the consumer.</summary>
internal sealed class PartitionedSourceStage
    : GraphStageWithMaterializedValue<SourceShape<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)>, IConsumerControl>
{
    private readonly ConsumerSettings _settings;
    private readonly IReadOnlyList<string> _topics;
    private readonly ILogger _logger;

    public PartitionedSourceStage(ConsumerSettings settings, IReadOnlyList<string> topics, ILogger logger)
    {
        _settings = settings;
        _topics = topics;
        _logger = logger;
        Shape = new SourceShape<(TopicPartition, Source<CommittableMessage, NotUsed>)>(Out);
    }

    public Outlet<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)> Out { get; } = new("kafka.partitions.out");
    public override SourceShape<(TopicPartition Partition, Source<CommittableMessage, NotUsed> Messages)> Shape { get; }
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaPartitionedSource");

    public override ILogicAndMaterializedValue<IConsumerControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var loop = new ConsumerLoop(_settings, _topics, _logger);
        var control = new ConsumerControl(loop);
        return new LogicAndMaterializedValue<IConsumerControl>(new Logic(this, loop, control), control);
    }

    private sealed class Logic : OutGraphStageLogic, IConsumerLoopListener
    {
        private readonly PartitionedSourceStage _stage;
        private readonly ConsumerLoop _loop;
        private readonly ConsumerControl _control;
        private readonly Queue<PartitionChannel> _pending = new();
        private Action<IReadOnlyList<PartitionChannel>>? _onAssigned;
        private Action<Exception>? _onFailed;
        private Action? _onClosed;

        public Logic(PartitionedSourceStage stage, ConsumerLoop loop, ConsumerControl control) : base(stage.Shape)
        {
            _stage = stage;
            _loop = loop;
            _control = control;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onAssigned = GetAsyncCallback<IReadOnlyList<PartitionChannel>>(channels =>
            {
                foreach (var c in channels) _pending.Enqueue(c);
                TryPush();
            });
            _onFailed = GetAsyncCallback<Exception>(FailStage);
            _onClosed = GetAsyncCallback(CompleteStage);
            _control.Attach(GetAsyncCallback(CompleteStage));
            _loop.Start(this);
        }

        public override void OnPull() => TryPush();

        public override void PostStop()
        {
            _control.StageStopped();
            // Without an explicit Stop() the consumer has no further use: leave the group.
            if (!_control.StopRequested) _loop.StopThenShutdown();
        }

        private void TryPush()
        {
            while (IsAvailable(_stage.Out) && _pending.TryDequeue(out var channel))
            {
                if (channel.IsClosed) continue; // revoked before anyone asked for it
                Push(_stage.Out, (channel.TopicPartition, Source.FromGraph(new PartitionSourceStage(channel))));
            }
        }

        void IConsumerLoopListener.Assigned(IReadOnlyList<PartitionChannel> channels) => _onAssigned!(channels);
        void IConsumerLoopListener.Failed(Exception error) => _onFailed!(error);
        void IConsumerLoopListener.Closed() => _onClosed!();
    }
}
