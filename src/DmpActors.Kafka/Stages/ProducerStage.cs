using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;
using DmpActors.Kafka.Messages;

namespace DmpActors.Kafka.Stages;

/// <summary>
/// Produces with Produce + delivery handler (no Task per record) and emits results in input order;
/// at most <c>maxInFlight</c> records await acknowledgement. A delivery error fails the stage.
/// </summary>
internal sealed class ProducerStage<TPass> : GraphStage<FlowShape<ProducerMessage<TPass>, ProducerResult<TPass>>>
{
    private readonly Func<IProducer<byte[]?, byte[]>> _producerFactory;
    private readonly bool _ownsProducer;
    private readonly int _maxInFlight;
    private readonly TimeSpan _flushTimeout;

    public ProducerStage(Func<IProducer<byte[]?, byte[]>> producerFactory, bool ownsProducer, int maxInFlight, TimeSpan flushTimeout)
    {
        if (maxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(maxInFlight), "must be >= 1");
        _producerFactory = producerFactory;
        _ownsProducer = ownsProducer;
        _maxInFlight = maxInFlight;
        _flushTimeout = flushTimeout;
        Shape = new FlowShape<ProducerMessage<TPass>, ProducerResult<TPass>>(In, Out);
    }

    public Inlet<ProducerMessage<TPass>> In { get; } = new("kafka.producer.in");
    public Outlet<ProducerResult<TPass>> Out { get; } = new("kafka.producer.out");
    public override FlowShape<ProducerMessage<TPass>, ProducerResult<TPass>> Shape { get; }
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaProducer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Slot(ProducerMessage<TPass> message)
    {
        public readonly ProducerMessage<TPass> Message = message;
        public DeliveryReport<byte[]?, byte[]>? Report;
        public int Done;
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ProducerStage<TPass> _stage;
        private readonly Queue<Slot> _inFlight = new();
        private IProducer<byte[]?, byte[]>? _producer;
        private Action? _onDelivered;
        private int _signalPending;

        public Logic(ProducerStage<TPass> stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onDelivered = GetAsyncCallback(() =>
            {
                Interlocked.Exchange(ref _signalPending, 0);
                EmitCompleted();
            });
            _producer = _stage._producerFactory();
            Pull(_stage.In);
        }

        public override void OnPush()
        {
            var message = Grab(_stage.In);
            var slot = new Slot(message);
            _inFlight.Enqueue(slot);
            try
            {
                _producer!.Produce(message.Topic,
                    new Message<byte[]?, byte[]> { Key = message.Key, Value = message.Value, Headers = message.Headers },
                    report =>
                    {
                        slot.Report = report;
                        Volatile.Write(ref slot.Done, 1);
                        if (Interlocked.Exchange(ref _signalPending, 1) == 0) _onDelivered!();
                    });
            }
            catch (Exception e)
            {
                FailStage(e);
                return;
            }
            if (_inFlight.Count < _stage._maxInFlight) Pull(_stage.In);
        }

        public override void OnUpstreamFinish()
        {
            if (_inFlight.Count == 0) CompleteStage();
        }

        public override void OnPull() => EmitCompleted();

        private void EmitCompleted()
        {
            while (_inFlight.TryPeek(out var head) && Volatile.Read(ref head.Done) == 1)
            {
                var report = head.Report!;
                if (report.Error.IsError)
                {
                    FailStage(new ProduceException<byte[]?, byte[]>(report.Error, report));
                    return;
                }
                if (!IsAvailable(_stage.Out)) return;
                _inFlight.Dequeue();
                Push(_stage.Out, new ProducerResult<TPass>(report, head.Message.PassThrough));
            }
            if (IsClosed(_stage.In))
            {
                if (_inFlight.Count == 0) CompleteStage();
            }
            else if (!HasBeenPulled(_stage.In) && _inFlight.Count < _stage._maxInFlight)
            {
                Pull(_stage.In);
            }
        }

        public override void PostStop()
        {
            if (_producer is null || !_stage._ownsProducer) return;
            try
            {
                _producer.Flush(_stage._flushTimeout);
            }
            finally
            {
                _producer.Dispose();
            }
        }
    }
}
