using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;
using DmpActors.Kafka.Dsl;
using DmpActors.Kafka.Messages;
using DmpActors.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Stages;

/// <summary>
/// All assigned partitions in one stage: takes chunks round-robin from the partition channels, so
/// per-partition order holds and no substream machinery sits on the per-record path.
/// </summary>
internal sealed class CommittableSourceStage : GraphStageWithMaterializedValue<SourceShape<CommittableMessage>, IConsumerControl>
{
    private readonly ConsumerSettings _settings;
    private readonly IReadOnlyList<string> _topics;
    private readonly ILogger _logger;

    public CommittableSourceStage(ConsumerSettings settings, IReadOnlyList<string> topics, ILogger logger)
    {
        _settings = settings;
        _topics = topics;
        _logger = logger;
        Shape = new SourceShape<CommittableMessage>(Out);
    }

    public Outlet<CommittableMessage> Out { get; } = new("kafka.committable.out");
    public override SourceShape<CommittableMessage> Shape { get; }
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaCommittableSource");

    public override ILogicAndMaterializedValue<IConsumerControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var loop = new ConsumerLoop(_settings, _topics, _logger);
        var control = new ConsumerControl(loop);
        return new LogicAndMaterializedValue<IConsumerControl>(new Logic(this, loop, control), control);
    }

    private sealed class Logic : OutGraphStageLogic, IConsumerLoopListener
    {
        private readonly CommittableSourceStage _stage;
        private readonly ConsumerLoop _loop;
        private readonly ConsumerControl _control;
        private readonly List<PartitionChannel> _channels = new();
        private Action<IReadOnlyList<PartitionChannel>>? _onAssigned;
        private Action<PartitionChannel>? _onWakeup;
        private Action<Exception>? _onFailed;
        private Action? _onClosed;
        private PartitionChannel? _current;
        private List<ConsumeResult<byte[]?, byte[]>>? _chunk;
        private int _index;
        private int _next;

        public Logic(CommittableSourceStage stage, ConsumerLoop loop, ConsumerControl control) : base(stage.Shape)
        {
            _stage = stage;
            _loop = loop;
            _control = control;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onWakeup = GetAsyncCallback<PartitionChannel>(channel =>
            {
                channel.Acknowledge();
                if (channel.IsClosed) Remove(channel);
                TryPush();
            });
            _onAssigned = GetAsyncCallback<IReadOnlyList<PartitionChannel>>(channels =>
            {
                foreach (var channel in channels)
                {
                    _channels.Add(channel);
                    channel.Attach(() => _onWakeup!(channel));
                    if (channel.IsClosed) Remove(channel);
                }
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
            if (!_control.StopRequested) _loop.StopThenShutdown();
        }

        private void TryPush()
        {
            if (!IsAvailable(_stage.Out)) return;
            if (_current is { IsClosed: true }) Remove(_current);
            if (_chunk is null || _index >= _chunk.Count)
            {
                if (!NextChunk()) return;
            }
            var record = _chunk![_index++];
            Push(_stage.Out, new CommittableMessage(record, new CommittableOffset(_current!, record.Offset)));
            _current!.Emitted(record);
        }

        private bool NextChunk()
        {
            _chunk = null;
            var count = _channels.Count;
            for (var i = 0; i < count; i++)
            {
                var at = (_next + i) % count;
                var channel = _channels[at];
                if (!channel.IsClosed && channel.TryTake(out var chunk))
                {
                    _current = channel;
                    _chunk = chunk;
                    _index = 0;
                    _next = (at + 1) % count;
                    return true;
                }
            }
            return false;
        }

        /// <summary>Revoked or stopped: drop what it buffered (uncommitted, so Kafka redelivers it).</summary>
        private void Remove(PartitionChannel channel)
        {
            if (!_channels.Remove(channel)) return;
            List<ConsumeResult<byte[]?, byte[]>>? current = null;
            if (ReferenceEquals(_current, channel))
            {
                current = _chunk;
                _chunk = null;
                _current = null;
            }
            channel.Discard(current, _index);
            _next = 0;
        }

        void IConsumerLoopListener.Assigned(IReadOnlyList<PartitionChannel> channels) => _onAssigned!(channels);
        void IConsumerLoopListener.Failed(Exception error) => _onFailed!(error);
        void IConsumerLoopListener.Closed() => _onClosed!();
    }
}
