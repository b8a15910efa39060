using Akka;
using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;
using DmpActors.Kafka.Messages;

namespace DmpActors.Kafka.Stages;

/// <summary>Emits the records of one partition assignment; completes when the partition is revoked or the source stopped.</summary>
internal sealed class PartitionSourceStage : GraphStage<SourceShape<CommittableMessage>>
{
    private readonly PartitionChannel _channel;

    public PartitionSourceStage(PartitionChannel channel)
    {
        _channel = channel;
        Shape = new SourceShape<CommittableMessage>(Out);
    }

    public Outlet<CommittableMessage> Out { get; } = new("kafka.partition.out");
    public override SourceShape<CommittableMessage> Shape { get; }
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaPartitionSource");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly PartitionSourceStage _stage;
        private readonly PartitionChannel _channel;
        private List<ConsumeResult<byte[]?, byte[]>>? _chunk;
        private int _index;

        public Logic(PartitionSourceStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _channel = stage._channel;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            var wakeup = GetAsyncCallback(OnWakeup);
            if (!_channel.Attach(wakeup))
            {
                FailStage(new InvalidOperationException($"The sub-source of {_channel.TopicPartition} can be materialized only once"));
                return;
            }
            OnWakeup();
        }

        public override void OnPull() => TryPush();

        public override void OnDownstreamFinish(Exception cause)
        {
            // Nobody reads this partition any more: stop fetching it; unemitted records stay uncommitted.
            _channel.Owner.Abandon(_channel);
            DropBuffered();
            base.OnDownstreamFinish(cause);
        }

        private void OnWakeup()
        {
            _channel.Acknowledge();
            if (IsAvailable(_stage.Out)) TryPush();
            else if (_channel.IsClosed) Finish();
        }

        private void TryPush()
        {
            if (_channel.IsClosed)
            {
                Finish();
                return;
            }
            if (_chunk is null || _index >= _chunk.Count)
            {
                if (!_channel.TryTake(out var next)) return;
                _chunk = next;
                _index = 0;
            }
            var record = _chunk[_index++];
            Push(_stage.Out, new CommittableMessage(record, new CommittableOffset(_channel, record.Offset)));
            _channel.Emitted(record);
        }

        private void Finish()
        {
            DropBuffered();
            if (_channel.Error is { } error) FailStage(error);
            else CompleteStage();
        }

        private void DropBuffered()
        {
            var current = _chunk;
            _chunk = null;
            _channel.Discard(current, _index);
            _index = 0;
        }
    }
}
